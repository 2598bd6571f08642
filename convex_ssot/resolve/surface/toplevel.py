"""Running the top-level statements of the modules that build the callable surface.

``http.route({...})``, ``crons.daily(...)``, ``app.use(...)``, loops over known arrays that
call them and helper calls that receive the router are top-level *statements*, which the
module outline (:func:`convex_ssot.parse.lexer.outline`) leaves out, as every other module has no
need for them. For the few modules that do (``convex/http.ts``, ``convex/crons.ts``,
``convex/convex.config.ts`` and the modules where their router, cron jobs or app were
created), the statements are parsed on demand with the grammar's ``body`` rule (function
bodies elided, as for helper bodies) and run in source order by
:func:`convex_ssot.interp.statements.run_statement`, the statement subset project helpers are applied with.
A statement that leaves that subset is reported (CSX530): what it registers is missing.
"""

from __future__ import annotations


from ...parse import lexer
from ...interp.statements import run_statement
from ... import regex_cache

__all__ = ["run_module"]

# Statements worth running: `x.y(...)`, `x(...)`, `for (`, `if (`, a block. Type and class
# declarations and other keywords are not.
_RUNNABLE = regex_cache.compile(
    r"(?:for|if)\s*\(|\{|"
    r"(?!(?:type|interface|class|enum|declare|abstract|namespace|module|export|import|const|let|var|function|async|return|await|new|delete|void|typeof|throw|try|do|while|switch|with|default|else)\b)"
    r"[A-Za-z_$][\w$]*\s*(?:\?\.|[.(\[<!])"
)


def run_module(ev, mod, done: set) -> None:
    """Run the top-level statements of ``mod`` (once per ``done`` set of module paths)."""
    if mod.rel in done:
        return
    done.add(mod.rel)
    from ...parse.parser import ParseFailure, parse_body

    for st in lexer.split_statements(mod.mk.masked):
        if st.kind != "other" or not _RUNNABLE.match(mod.mk.masked, st.start):
            continue
        text = lexer.body_outline(mod.mk, st.start - 1, st.end)
        try:
            nodes = parse_body(text, base=st.start)
        except ParseFailure as exc:
            snippet = mod.mk.clean[st.start : st.end].split("\n", 1)[0][:60].strip()
            mod.diag(exc.offset, "CSX530", f"top-level statement `{snippet}` not understood ({exc.message}); routes, cron jobs or components it registers are missing")
            continue
        for node in nodes:
            out = run_statement(ev, mod, node)
            if out is not None:
                mod.diag(node.span[0], "CSX530", f"top-level statement not evaluated ({out.reason}); routes, cron jobs or components it registers are missing")
