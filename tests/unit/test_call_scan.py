"""The call graph's scanning (resolve/surface/calls.py) against the rule it implements.

The scan finds ``run…(`` with a pattern led by a literal and looks for ``scheduler .``
backwards (:func:`_call_start`); argument splitting looks at brackets and stops only
(:func:`_top_level`). Each is compared with the plain statement of its rule on generated
text: the single regular expression ``(?:scheduler\\s*\\.\\s*)?run(…)\\s*\\(`` and a walk
over every character.
"""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from convex_ssot.resolve.surface.calls import _RUN_CALL, _call_start, _top_level

_CALL = re.compile(r"(?:scheduler\s*\.\s*)?run(Query|Mutation|Action|After|At)\s*\(")

PIECES = ["scheduler", "schedule", "run", "Query", "After", "At", "r", "(", ")", ".", " ", "\n", "\u00a0",
          "x", ",", ";", "[", "]", "{", "}"]
texts = st.lists(st.sampled_from(PIECES), max_size=16).map("".join)


@settings(max_examples=800, deadline=None)
@given(texts, st.data())
def test_call_starts_follow_the_single_pattern(text, data):
    lo = data.draw(st.integers(0, len(text)))
    hi = data.draw(st.integers(lo, len(text)))
    expected = [(m.start(), m.end(), m.group(1)) for m in _CALL.finditer(text, lo, hi)]
    got = [(_call_start(text, lo, m.start()), m.end(), m.group(1)) for m in _RUN_CALL.finditer(text, lo, hi)]
    assert got == expected


def _walk(masked, start, end, stops):
    depth = 0
    for i in range(start, end):
        c = masked[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                yield i
                yield -1
                return
            depth -= 1
        elif depth == 0 and c in stops:
            yield i


@settings(max_examples=800, deadline=None)
@given(texts, st.data(), st.sampled_from([",", ";\n"]))
def test_top_level_stops_follow_the_character_walk(text, data, stops):
    lo = data.draw(st.integers(0, len(text)))
    hi = data.draw(st.integers(lo, len(text)))
    assert list(_top_level(text, lo, hi, stops)) == list(_walk(text, lo, hi, stops))


def test_scheduled_call_across_lines():
    text = "await ctx.scheduler\n  .runAfter(0, internal.a.b, {})"
    (m,) = _RUN_CALL.finditer(text)
    assert text[_call_start(text, 0, m.start()):].startswith("scheduler")
    assert _call_start(text, text.index("scheduler") + 1, m.start()) == m.start()  # `scheduler` begins before the body
