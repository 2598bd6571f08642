"""Thin click commands over the library: parse options, call, report, exit."""
