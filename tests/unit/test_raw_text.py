"""The source text a contract quotes (``rawValidator``): ``collapse`` in resolve/modules.py.

``collapse`` is written for speed (str.split, str.replace, one regular expression for
string literals); its rule is stated here as the two left-to-right substitutions it
replaces, and the two are compared on generated text and on real validator shapes.
"""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from convex_ssot.resolve.modules import collapse

_STRING = r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)"""
_WS_OUTSIDE_STRINGS = re.compile(_STRING + r"|\s+")
_TIGHT = re.compile(_STRING + r"""|([(\[]) | (?=[)\],])|,(?= ?[)\]}])""")


def reference(text: str) -> str:
    """Whitespace outside string literals to one space, trimmed; then no space after
    ``(``/``[`` or before ``)``/``]``/``,`` and no comma before ``)``/``]``/``}`` (an
    optional space between), string literals found again in the joined text."""
    out = _WS_OUTSIDE_STRINGS.sub(lambda m: m.group(1) or " ", text).strip()
    return _TIGHT.sub(lambda m: m.group(1) or m.group(2) or "", out)


PIECES = ["(", ")", "[", "]", "{", "}", ",", " ", "  ", "\n", "\t", '"', "'", "`", "\\", "a", "v.x",
          "\u00a0", "\u2028", " ,", ", )", ",,", ", }", "( ", " ]"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_collapse_follows_the_reference_rule(pieces):
    text = "".join(pieces)
    assert collapse(text) == reference(text)


def test_collapse_on_validator_shapes():
    cases = {
        "v.object({\n  a: v.string(),\n  b: v.optional( v.number() ),\n})": "v.object({ a: v.string(), b: v.optional(v.number()) })",
        'v.union(\n  v.literal("a  b"),\n  v.literal(\'c , )\'),\n)': 'v.union(v.literal("a  b"), v.literal(\'c , )\'))',
        "v.array( v.id('users') , )": "v.array(v.id('users'))",
        # an unterminated string on one line completes once lines are joined
        'x("a\n" , )': 'x("a ")',
    }
    for text, expected in cases.items():
        assert collapse(text) == expected == reference(text)
