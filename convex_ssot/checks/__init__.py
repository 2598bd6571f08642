"""``ctl-convex check``: rules over a project's IR, handler facts and configuration.

* :mod:`.registry` — every rule: id, group, default severity, summary, source;
* :mod:`.schema_rules` — what the backend rejects when the schema is pushed (also reported
  by ``sync-to-context`` as CSX3xx diagnostics through :func:`check_schema`);
* :mod:`.function_rules`, :mod:`.body_rules`, :mod:`.program_rules` — push-time rules
  about functions, the guidelines' MUST / MUST NOT, and whole-program rules;
* :mod:`.alignment` — Zod ↔ Convex alignment pairs from the configuration;
* :mod:`.settings` — configuration, ``--select`` / ``--ignore`` and inline suppression;
* :mod:`.run` — the whole check, :mod:`.report` — text, JSON, SARIF 2.1.0, GitHub output.

Data flows one way: resolve → IR (+ located handler facts) → rules → report.
"""

from .schema_rules import check_schema

__all__ = ["check_schema"]
