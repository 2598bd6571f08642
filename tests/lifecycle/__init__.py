"""Tests of ctl-convex init / status / verify, the registry and the pre-commit hook (issue #3)."""
