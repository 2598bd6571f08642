"""The intermediate representation: what a Convex project's sources mean.

Small immutable classes, independent of Lark (no parse trees) and of the output formats
(no JSON shapes). The resolver (:mod:`convex_ssot.resolve`) builds them; the emitters
(:mod:`convex_ssot.emit`) turn them into contracts.

Validator kinds follow ``convex/values`` (``src/values/validators.ts``, convex 1.48):
``string float64 int64 boolean bytes null any id literal array object record union
commitTs``. Optionality is a flag on the validator (``isOptional`` in Convex), exactly as
``v.optional(x)`` / ``x.optional()`` produce it.
"""

from __future__ import annotations

from dataclasses import field
from .dataclass_cache import dataclass

__all__ = [
    "Diagnostic",
    "Validator",
    "ObjectField",
    "Index",
    "Table",
    "Schema",
    "Uses",
    "Function",
    "Project",
    "LiteralValue",
    "FunctionRef",
    "Call",
    "HttpRoute",
    "CronJob",
    "Component",
]

@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something the tool could not understand or that Convex would reject.

    ``file`` is repo-relative (POSIX), ``line``/``column`` are 1-based, ``code`` is one of
    the codes listed in docs/diagnostics.md, ``severity`` is error | warning | info.
    """

    file: str
    line: int
    column: int
    code: str
    message: str
    severity: str = "warning"

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.code, self.message)


@dataclass(frozen=True, slots=True)
class LiteralValue:
    """A ``v.literal`` value: ``kind`` is string | number | boolean | bigint.

    Numbers keep their float value (``-0.0``, ``nan``, ``inf`` included), bigints their int.
    """

    kind: str
    value: str | float | int | bool


@dataclass(frozen=True, slots=True)
class ObjectField:
    """One property of an object validator (or an args map): ``name`` → ``validator``."""

    name: str
    validator: "Validator"


@dataclass(frozen=True, slots=True)
class Validator:
    """A Convex validator.

    * ``kind``: see the module docstring.
    * ``optional``: True for ``v.optional(x)`` / ``x.optional()``.
    * ``table``: for ``id``; ``literal``: for ``literal``.
    * ``element``: for ``array``; ``fields``: for ``object``; ``key``/``value``: for
      ``record``; ``members``: for ``union``.
    * ``raw``: the source text the validator was written as, comments removed and
      whitespace collapsed ("" when it was synthesised, e.g. by ``authTables``).
    """

    kind: str
    optional: bool = False
    table: str | None = None
    literal: LiteralValue | None = None
    element: "Validator | None" = None
    fields: tuple[ObjectField, ...] = ()
    key: "Validator | None" = None
    value: "Validator | None" = None
    members: tuple["Validator", ...] = ()
    raw: str = ""

    def as_optional(self, optional: bool = True) -> "Validator":
        """A copy with ``optional`` set (Convex ``asOptional`` / ``asRequired``)."""
        if self.optional == optional:
            return self
        return Validator(self.kind, optional, self.table, self.literal, self.element, self.fields, self.key, self.value, self.members, self.raw)

    def with_raw(self, raw: str) -> "Validator":
        """A copy with ``raw`` set. (Positional construction, not ``dataclasses.replace``:
        called for most validators of a project, where ``replace`` cost ten times more.)"""
        return Validator(self.kind, self.optional, self.table, self.literal, self.element, self.fields, self.key, self.value, self.members, raw)

    def field_map(self) -> dict[str, "Validator"]:
        """For an object validator: its fields as an ordered dict."""
        return {f.name: f.validator for f in self.fields}


@dataclass(frozen=True, slots=True)
class Index:
    """A table index.

    ``kind``: ``index`` (database), ``search`` or ``vector`` (``TableDefinition.index``,
    ``.searchIndex``, ``.vectorIndex`` in convex/src/server/schema.ts). ``fields`` is set
    for database indexes; ``search_field`` / ``vector_field`` / ``dimensions`` and
    ``filter_fields`` for the others. ``staged`` as passed in the options object.
    """

    kind: str
    name: str
    fields: tuple[str, ...] = ()
    search_field: str | None = None
    vector_field: str | None = None
    dimensions: int | None = None
    filter_fields: tuple[str, ...] = ()
    staged: bool = False
    line: int = 0
    column: int = 0
    dimensions_text: str = ""  # the dimensions as written (for messages when not a whole number)


@dataclass(frozen=True, slots=True)
class Table:
    """A table: ``document`` is its validator (usually an object), ``indexes`` in
    declaration order, ``origin`` names the package a table came from (e.g. ``authTables``),
    ``staged_document`` the validator given to ``.staged(...)`` (convex 1.47), if any."""

    name: str
    document: Validator
    indexes: tuple[Index, ...] = ()
    origin: str | None = None
    staged_document: Validator | None = None
    file: str = ""
    line: int = 0
    column: int = 0


@dataclass(frozen=True, slots=True)
class Schema:
    """The ``defineSchema`` result. ``found`` is False when no schema could be read."""

    path: str
    tables: tuple[Table, ...] = ()
    schema_validation: bool = True
    strict_table_name_types: bool = True
    found: bool = True


@dataclass(frozen=True, slots=True)
class Uses:
    """What a handler touches (each a bool)."""

    dbRead: bool = False
    dbWrite: bool = False
    scheduler: bool = False
    storage: bool = False
    runQuery: bool = False
    runMutation: bool = False
    runAction: bool = False
    fetch: bool = False
    vectorSearch: bool = False


@dataclass(frozen=True, slots=True)
class Function:
    """A registered Convex function.

    ``kind``: query | mutation | action | httpAction; ``visibility``: public | internal;
    ``constructor`` as written at the call site, ``resolved_constructor`` the Convex
    builder it stands for (None when written directly), ``constructor_chain`` every name
    passed through from the call site to the Convex builder. ``args`` is None when the
    definition has no ``args`` (Convex then exports ``{"type":"any"}``); ``args_is_map``
    tells whether args were written as a fields map (an object literal). ``runtime`` is
    ``node`` for modules that start with the ``"use node"`` directive.
    """

    module_path: str
    export_name: str
    kind: str
    visibility: str
    constructor: str
    resolved_constructor: str | None
    constructor_chain: tuple[str, ...]
    file: str
    runtime: str
    args: Validator | None
    args_is_map: bool
    returns: Validator | None
    auth_kind: str
    uses: Uses
    tables_read: tuple[str, ...]
    tables_written: tuple[str, ...]
    line: int = 0
    column: int = 0
    calls: tuple["Call", ...] = ()
    #: where the handler's code is: ``(file, start, end)`` character spans of the handler
    #: body first, then of the project helpers it calls (the spans the ``uses`` analysis
    #: read); empty for functions a library registers. Not part of the contract.
    handler_spans: tuple[tuple[str, int, int], ...] = field(default=(), compare=False)
    #: registered in the old bare-function form ``query(async (ctx) => …)``
    bare_handler: bool = False

    @property
    def function_id(self) -> str:
        """``modulePath:exportName`` as Convex names functions (``api.dir.mod.fn``)."""
        return f"{self.module_path}:{self.export_name}"


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """Where a function reference points (convex ``src/server/api.ts`` ``createApi``,
    ``makeFunctionReference``; ``src/server/components/index.ts`` ``createChildComponents``).

    ``target``: ``module/path:exportName`` (``module/path`` alone for a default export is
    written as ``module/path:default``), or ``components.<name>.<path…>`` for a component's
    function, or None when the expression is not a reference the tool resolves.
    ``visibility``: ``public`` (``api.*``), ``internal`` (``internal.*``), ``component``
    (``components.*``) or None (``makeFunctionReference``, a string name, ``anyApi``: any
    visibility). ``expression``: the source text, comments removed, whitespace collapsed.
    """

    target: str | None
    visibility: str | None
    expression: str


@dataclass(frozen=True, slots=True)
class Call:
    """A ``ctx.runQuery|runMutation|runAction|scheduler.runAfter|scheduler.runAt`` call
    found in a handler or in a project helper it calls: ``via`` names the method, ``ref``
    the function reference passed, ``file``/``line`` where the call is written."""

    via: str
    ref: FunctionRef
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class HttpRoute:
    """One route of the ``httpRouter()`` default-exported by ``convex/http.ts``
    (convex ``src/server/router.ts``): exactly one of ``path``/``path_prefix``.
    ``handler_function_id`` when the handler is an exported HTTP action, else the
    handler's own ``handler_file``/``handler_line`` (an inline ``httpAction``) or
    ``handler_package`` (registered by a library); ``file``/``line`` of the
    ``http.route`` call (or of the library call that registered it); ``registered_by``
    names that library call (``@convex-dev/auth@0.0.95 auth.addHttpRoutes``)."""

    method: str
    path: str | None
    path_prefix: str | None
    handler_function_id: str | None
    handler_file: str | None
    handler_line: int | None
    handler_package: str | None
    file: str
    line: int
    registered_by: str | None = None


@dataclass(frozen=True, slots=True)
class CronJob:
    """One job of the ``cronJobs()`` default-exported by ``convex/crons.ts`` (convex
    ``src/server/cron.ts``): ``schedule`` exactly as ``Crons.export()`` writes it,
    ``args`` the JSON of the arguments (``convexToJson``; ``{}`` when omitted)."""

    name: str
    schedule: dict
    ref: FunctionRef
    args: object
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Component:
    """One ``app.use(definition, options?)`` of ``convex/convex.config.ts`` (convex
    ``src/server/components/index.ts``): ``name`` the option or the component's default
    name (``defineComponent("name")`` of its definition; None when it cannot be read),
    ``package``/``version`` of the installed package (None for a local component),
    ``definition`` the import specifier, ``http_prefix`` when given."""

    name: str | None
    package: str | None
    version: str | None
    definition: str
    http_prefix: str | None
    file: str
    line: int


@dataclass(slots=True)
class Project:
    """Everything read from one repository: schema, functions and diagnostics."""

    convex_dir: str
    schema: Schema
    functions: list[Function] = field(default_factory=list)
    schema_diagnostics: list[Diagnostic] = field(default_factory=list)
    function_diagnostics: list[Diagnostic] = field(default_factory=list)
    http_routes: list[HttpRoute] = field(default_factory=list)
    crons: list[CronJob] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    #: the parsed modules by repo-relative path, kept only when asked for
    #: (``build_project(keep_modules=True)``; ``ctl-convex check`` reads handler bodies)
    modules: dict = field(default_factory=dict)
