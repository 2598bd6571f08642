"""The tool key (``cache._tool_key``): every cached result is keyed by it, so an edit of
any module of the package — an editable install — must change it (docs/architecture.md,
"Incremental evaluation")."""

from __future__ import annotations

import os

from convex_ssot.cache import modules_signature


def _tree(root) -> None:
    for rel in ("a.py", "sub/b.py", "sub/deeper/c.py", "sub/__pycache__/b.cpython-311.pyc", "notes.txt"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def test_signature_changes_with_any_module(tmp_path) -> None:
    _tree(tmp_path)
    base = modules_signature(str(tmp_path))
    assert base == modules_signature(str(tmp_path))  # stable
    assert base.count("\n") == 3 and "./a.py" in base and "sub/b.py" in base and "sub/deeper/c.py" in base
    (tmp_path / "notes.txt").write_text("other")  # not a module
    (tmp_path / "sub/__pycache__/b.cpython-311.pyc").write_text("other")
    assert modules_signature(str(tmp_path)) == base
    deep = tmp_path / "sub/deeper/c.py"
    st = deep.stat()
    deep.write_text("x = 2\n")  # same size: the mtime tells
    os.utime(deep, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    edited = modules_signature(str(tmp_path))
    assert edited != base
    (tmp_path / "sub/new.py").write_text("")
    assert modules_signature(str(tmp_path)) not in (base, edited)


def test_tool_key_is_stable_within_an_install() -> None:
    from convex_ssot.cache import _tool_key

    assert _tool_key() == _tool_key()
