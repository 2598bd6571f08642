"""Emitters: IR → contract dicts (pure), and the JSON writer. One module per contract."""
