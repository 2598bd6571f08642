"""The one interface between the interpreter core and package knowledge.

The core (:mod:`.core`) knows no package. Where an import names something that is not a
module of the project, it asks the :class:`PackageRegistry` it was built with; the registry
asks its :class:`PackageModel` objects in order. A model answers for the specifiers it
knows (``convex/values``, ``convex/server``, a generated module, zod, a component
client…) with :class:`~.values.Value` objects: :class:`~.values.VBuiltin` names it owns
(the core hands their calls and properties back to the owner) and
:class:`~.values.ModelValue` objects (which answer member access and calls themselves).

The models themselves live in :mod:`convex_ssot.packages`; the registry of a run is built
by :func:`convex_ssot.packages.default_registry`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..parse import ast
from .values import VBuiltin, VObj, VUnknown, Value

__all__ = ["PackageModel", "PackageRegistry", "LazyModel", "GLOBAL_HOOKS", "package_name"]


class PackageModel:
    """Knowledge of one package (or one primitive such as the generated modules).

    ``builtin_names`` / ``builtin_prefixes``: the :class:`~.values.VBuiltin` names this
    model hands out (exact names, and prefixes such as ``"v."``); calls and properties of
    those builtins come back to :meth:`call` and :meth:`member`. Every hook has a default
    meaning "not mine", so a model overrides only what it knows. ``ev`` is the
    :class:`~.core.Evaluator`, ``mod`` the module being evaluated (diagnostics go there).
    """

    builtin_names: frozenset[str] = frozenset()
    builtin_prefixes: tuple[str, ...] = ()
    #: True for models that stand in for an installed package only where they were read
    #: from that package's version: another installed version is read instead
    #: (:meth:`handles`, :meth:`covers`).
    reads_installed: bool = False

    def handles(self, specifier: str) -> bool:
        """Whether this model knows ``specifier`` (no side effects; used with
        :attr:`reads_installed`)."""
        return False

    def reads_export(self, specifier: str, name: str) -> bool:
        """Whether ``name`` of ``specifier`` is read from another installed version (the
        default: every export; a model may keep the exports the interpreter cannot follow)."""
        return True

    def covers(self, specifier: str, version: str | None) -> bool:
        """Whether this model is exact for the installed ``version`` of ``specifier``'s
        package (the default: the version it was written from)."""
        pv = self.modelled_version(specifier)
        return pv is not None and version is not None and pv[1] == version

    def exports(self, ev, mod, specifier: str) -> Mapping[str, Value] | None:
        """The exports of ``specifier`` (name → value, built fresh: tables change in place),
        or None when this model does not know the specifier."""
        return None

    def export(self, ev, mod, specifier: str, name: str) -> Value | None:
        """The value ``name`` (an export name, ``default`` or ``*``) imported from
        ``specifier``; None when this model does not know the specifier. The default reads
        :meth:`exports`."""
        lib = self.exports(ev, mod, specifier)
        if lib is None:
            return None
        if name == "*":
            return self.namespace(specifier, lib)
        return lib.get(name, VUnknown(f"`{name}` from {specifier} is not modelled"))

    def modelled_version(self, specifier: str) -> tuple[str, str] | None:
        """``(package, version)`` this model was written from, for a specifier it knows;
        None for the primitives and for models that choose a variant per installed version
        themselves. The registry reports a use of another version (CSX245)."""
        return None

    def namespace(self, specifier: str, exports: Mapping[str, Value]) -> Value:
        """``import * as ns from specifier``."""
        return VObj(dict(exports))

    def call(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        """The builtin ``name`` (owned by this model) called with ``args``."""
        return VUnknown(f"{name}() is not modelled")

    def member(self, ev, mod, base: VBuiltin, prop: str) -> Value:
        """Property ``prop`` of the builtin ``base`` (owned by this model)."""
        return VUnknown(f"{base.name}.{prop} is not modelled")

    def apply(self, ev, name: str, values: list[Value]) -> Value | None:
        """The builtin ``name`` called with argument *values* (as a callback, e.g.
        ``KINDS.map(v.literal)``); None when that is not modelled."""
        return None

    def new(self, ev, mod, node: ast.New) -> Value | None:
        """``new C(...)`` when ``C`` belongs to this model; None otherwise."""
        return None

    def call_failed(self, ev, mod, callee: Value, node: ast.Call, result: VUnknown) -> Value | None:
        """A call of a function the core read (``callee``, e.g. a method of a package's
        client) whose result it could not evaluate: a value that says more, or None."""
        return None

    def call_unknown(self, ev, mod, callee: VUnknown, node: ast.Call) -> Value | None:
        """A call whose callee the core could not evaluate (e.g. a factory of an unmodelled
        package): a value that says more than "unknown", or None."""
        return None

    def intercept(self, ev, mod, callee: Value, node: ast.Call) -> Value | None:
        """Asked first for a call whose callee is unknown or a model's value, before that
        value or :meth:`call_unknown` answers: a call whose *arguments* this model cares
        about (e.g. a library that registers routes on the project's HTTP router). None
        lets the call go on as usual."""
        return None


#: The hooks the registry offers to every model in order (not through a specifier or a
#: builtin name); a model overriding one is asked for it (:class:`LazyModel.hooks`).
GLOBAL_HOOKS = ("new", "call_failed", "call_unknown", "intercept")


def package_name(specifier: str) -> str:
    """The package a bare specifier names: ``@scope/name`` or ``name`` (``zod/v4`` → ``zod``)."""
    parts = specifier.split("/")
    return "/".join(parts[:2]) if specifier.startswith("@") else parts[0]


class LazyModel:
    """A :class:`PackageModel` the registry imports only when it may be asked something
    (astroid's "brains" work the same way): what the model can answer is declared here,
    statically, so that a run whose modules never import its package never imports its
    module. ``tests/unit/test_package_registry.py`` fails when a declaration and its
    model disagree.

    * ``load()`` → the model (imports its module);
    * ``specifiers`` / ``packages``: the model may answer :meth:`PackageModel.export`,
      :meth:`~PackageModel.handles` and :meth:`~PackageModel.modelled_version` only for
      these specifiers, or for any specifier of these packages (:func:`package_name`);
    * ``builtin_names`` / ``builtin_prefixes`` / ``reads_installed``: the model class's own;
    * ``hooks``: the :data:`GLOBAL_HOOKS` the model class overrides (the model is loaded
      the first time the registry asks one of them).
    """

    __slots__ = ("load", "specifiers", "packages", "builtin_names", "builtin_prefixes", "reads_installed", "hooks")

    def __init__(self, load, *, specifiers=(), packages=(), builtin_names=(), builtin_prefixes=(), reads_installed=False, hooks=()) -> None:
        self.load = load
        self.specifiers = frozenset(specifiers)
        self.packages = frozenset(packages)
        self.builtin_names = frozenset(builtin_names)
        self.builtin_prefixes = tuple(builtin_prefixes)
        self.reads_installed = reads_installed
        self.hooks = frozenset(hooks)

    def may_know(self, specifier: str) -> bool:
        """Whether the model may answer for ``specifier`` (False: it surely does not)."""
        return specifier in self.specifiers or (bool(self.packages) and package_name(specifier) in self.packages)


def _overrides(model: PackageModel, hook: str) -> bool:
    return getattr(type(model), hook) is not getattr(PackageModel, hook)


class PackageRegistry:
    """The package models of a run, asked in order (the first answer wins).

    ``models`` holds :class:`PackageModel` objects and :class:`LazyModel` declarations; a
    declaration is replaced by its model the first time the model may answer (an import of
    one of its specifiers, one of its builtin names, one of its hooks), so the answers are
    those of the loaded models in the same order."""

    def __init__(self, models: Sequence[PackageModel | LazyModel], on_assumed=None) -> None:
        self._slots: list[PackageModel | LazyModel] = list(models)
        #: ``on_assumed(ev, mod, package, version, specifier)``: a versioned model was used.
        self.on_assumed = on_assumed
        self._exact: dict[str, int] = {}
        self._prefixes: list[tuple[str, int]] = []
        for i, m in enumerate(self._slots):
            for n in m.builtin_names:
                self._exact.setdefault(n, i)
            self._prefixes.extend((p, i) for p in m.builtin_prefixes)
        self._owner_cache: dict[str, PackageModel | None] = {}
        self._hooked = {
            hook: tuple(i for i, m in enumerate(self._slots) if (hook in m.hooks if isinstance(m, LazyModel) else _overrides(m, hook)))
            for hook in GLOBAL_HOOKS
        }

    def _model(self, i: int) -> PackageModel:
        m = self._slots[i]
        if isinstance(m, LazyModel):
            m = self._slots[i] = m.load()
        return m

    @property
    def models(self) -> tuple[PackageModel, ...]:
        """Every model, in order (loads those not loaded yet)."""
        return tuple(self._model(i) for i in range(len(self._slots)))

    def loaded(self) -> tuple[PackageModel, ...]:
        """The models loaded so far, in order."""
        return tuple(m for m in self._slots if not isinstance(m, LazyModel))

    def _knowing(self, specifier: str):
        """The models that may know ``specifier``, in order (loading declared ones that may)."""
        for i, m in enumerate(self._slots):
            if isinstance(m, LazyModel):
                if not m.may_know(specifier):
                    continue
                m = self._model(i)
            yield m

    def owner(self, name: str) -> PackageModel | None:
        """The model that owns the builtin ``name``."""
        try:
            return self._owner_cache[name]
        except KeyError:
            pass
        found = self._exact.get(name)
        if found is None:
            for p, i in self._prefixes:
                if name.startswith(p):
                    found = i
                    break
        model = self._model(found) if found is not None else None
        self._owner_cache[name] = model
        return model

    def export(self, ev, mod, specifier: str, name: str) -> Value | None:
        """What a model gives for ``name`` imported from ``specifier``; None when no model
        knows the specifier (the core then resolves it as a module). A model written from
        one version reports its use where the project has another (``on_assumed``)."""
        for m in self._knowing(specifier):
            out = m.export(ev, mod, specifier, name)
            if out is not None:
                pv = m.modelled_version(specifier)
                if pv is not None and self.on_assumed is not None:
                    self.on_assumed(ev, mod, pv[0], pv[1], specifier)
                return out
        return None

    def reader_for(self, specifier: str) -> PackageModel | None:
        """The model of ``specifier`` that gives way to the installed package when the
        installed version is not the one it was read from, or None."""
        for m in self._knowing(specifier):
            if m.reads_installed and m.handles(specifier):
                return m
        return None

    def call(self, ev, mod, name: str, args: list[ast.Node], node: ast.Call) -> Value:
        m = self.owner(name)
        return m.call(ev, mod, name, args, node) if m is not None else VUnknown(f"{name}() is not modelled")

    def member(self, ev, mod, base: VBuiltin, prop: str) -> Value:
        m = self.owner(base.name)
        return m.member(ev, mod, base, prop) if m is not None else VUnknown(f"{base.name}.{prop} is not modelled")

    def apply(self, ev, name: str, values: list[Value]) -> Value | None:
        m = self.owner(name)
        return m.apply(ev, name, values) if m is not None else None

    def new(self, ev, mod, node: ast.New) -> Value | None:
        for i in self._hooked["new"]:
            out = self._model(i).new(ev, mod, node)
            if out is not None:
                return out
        return None

    def intercept(self, ev, mod, callee: Value, node: ast.Call) -> Value | None:
        for i in self._hooked["intercept"]:
            out = self._model(i).intercept(ev, mod, callee, node)
            if out is not None:
                return out
        return None

    def call_failed(self, ev, mod, callee: Value, node: ast.Call, result: VUnknown) -> Value | None:
        for i in self._hooked["call_failed"]:
            out = self._model(i).call_failed(ev, mod, callee, node, result)
            if out is not None:
                return out
        return None

    def call_unknown(self, ev, mod, callee: VUnknown, node: ast.Call) -> Value | None:
        for i in self._hooked["call_unknown"]:
            out = self._model(i).call_unknown(ev, mod, callee, node)
            if out is not None:
                return out
        return None
