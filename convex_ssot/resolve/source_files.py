"""Source files as the loader reads them: the repository boundary, text decoding, and
parsing in a worker process (``parse_chunk``) into the slim modules the parse cache stores.

Split from :mod:`.project` so that module stays the assembly step only.
"""

from __future__ import annotations

import os
from pathlib import Path

from .modules import Module, load_module

__all__ = ["inside_real", "clean_text", "parse_chunk", "slim"]


def inside_real(root_real: str, path: Path) -> bool:
    """Whether ``path``, symlinks resolved, is ``root_real`` or inside it (the repository boundary)."""
    real = os.path.realpath(path)
    return real == root_real or real.startswith(root_real + os.sep)


def clean_text(data: bytes) -> str | None:
    """``data`` as text, or None when it is not UTF-8 or holds NUL bytes (get() reports those)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def parse_chunk(jobs: list[tuple[str, bytes]]) -> list[tuple[str, bytes | None]]:
    """Worker: parse each (rel, bytes) into a pickled slim :class:`Module` (the bytes the
    module cache stores, so the parent neither parses nor pickles it again); None where
    the bytes are not clean UTF-8 text."""
    import pickle

    out: list[tuple[str, bytes | None]] = []
    for rel, data in jobs:
        text = clean_text(data)
        if text is None:
            out.append((rel, None))
            continue
        out.append((rel, pickle.dumps(slim(load_module(rel, text)), protocol=pickle.HIGHEST_PROTOCOL)))
    return out


def slim(mod: Module) -> Module:
    """A copy without the texts only the lexing stage needs (smaller to pickle)."""
    import copy

    s = copy.copy(mod)
    s.text = ""
    s.mk = copy.copy(mod.mk)
    s.mk.text = ""
    s.values = {}
    s.slices = {}
    s.diagnostics = list(mod.diagnostics)
    return s
