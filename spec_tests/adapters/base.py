r"""The interface between the suite and one implementation."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Mapping
from typing import Any

#: The exceptions SPEC.md names, with the builtin class each must derive from.
SPEC_ERRORS = {
    'CycleError': ValueError,
    'TagConflictError': ValueError,
    'AliasError': ValueError,
    'PartitionKeyError': KeyError,
    'LeafSpecError': ValueError,
}


class Unbuildable(Exception):
    r"""Raised while building a graph that the implementation's design cannot hold at all
    (a cycle, where trees are immutable). The harness rejects that example (hypothesis'
    ``reject``) and counts it apart from the examples run: it is neither a pass nor a
    failure, and a rule that no example can reach is declared ``not_applicable``.

    Example:
        >>> raise Unbuildable('a cycle through node 2')
        Traceback (most recent call last):
        ...
        spec_tests.adapters.base.Unbuildable: a cycle through node 2
    """


@dataclasses.dataclass(frozen=True)
class ErrorFields:
    r"""What a CycleError, TagConflictError or AliasError names, as data (SPEC.md, "Error
    fields"): the suite checks these instead of the message where an adapter gives them.

    Attributes:
        paths: The path strings (``keystr``; the root's is ``''``) that the error names.
        tags: The tags it names.
        kinds: The type names it names (for a CycleError, first the node's).
    """

    paths: tuple[str, ...]
    tags: tuple[Hashable, ...] = ()
    kinds: tuple[str, ...] = ()


class Adapter:
    r"""Maps what the suite needs onto the API of one implementation.

    A subclass sets the class attributes and overrides the methods whose default does
    not fit. Defaults follow SPEC.md: references hold their value in ``.value``, a
    module is an argument of JAX transformations as is, and ``partition`` is a method
    of modules whose first result rebuilds the module when called.

    Attributes:
        name: The column title of the implementation in the conformance matrix.
        Module: The module class (its instances take attributes).
        Scope: The scope class.
        Parameter: The parameter class (``Parameter(array)``).
        Reference: The reference class (``Reference(tag, value)``), or :py:`None` for a
            design that ties by identity: :meth:`reference` then returns the value
            itself, which the suite checks in place of a Reference.
        List: The class of the graphs' lists (by default ``list``), for a design that
            holds lists of nodes in a container of its own.
        Dict: The class of the graphs' dicts (by default ``dict``), likewise.
        StateEntry: ``StateEntry(value)``.
        StateKey: The class of the keys that ``export_state`` leaves in the tree.
        reference_key: The attribute name of a Reference's value, as in its key path;
            ``''`` where a Reference is its value (then it adds no step to a path).
        errors: The class of each error of :data:`SPEC_ERRORS` in this implementation;
            an implementation without a dedicated class maps the name to the builtin
            base that SPEC.md requires.
        features: The optional features of SPEC.md that the implementation claims
            (``deep``, ``repr``, ``state``, ``tags``); the core is always required.
        not_applicable: The SPEC.md ids that cannot apply to the implementation's design,
            each with the reason: their tests are reported *not applicable* (``n.a.``)
            with it, and do not run.
        immutable: Whether modules are immutable: each is then built from its attributes
            (:meth:`module`) after them, and the ties are made on the whole tree at the
            end (:meth:`tie`); a graph with a cycle cannot be built (:class:`Unbuildable`).
        identity_ties: The kinds of node (``'module'``, ``'param'``, ...) that the design
            ties by identity alone, with no Reference object. SPEC.md's core reads an
            object shared without a Reference as no tie, flattened at every position,
            which such a design cannot express: a graph that shares a node of these kinds
            without a Reference cannot be built for it (:class:`Unbuildable`).
        static_wrapper: The wrapper that makes any value explicitly static, such as
            ``inox.tree.Static``, or :py:`None` (the default): SPEC.md requires none.
            Without one, where a graph asks for a wrapped static value the suite holds
            the value itself, and a tuple as a tuple subclass that JAX does not treat as
            a node (a static value by SPEC.md's Terms).
    """

    name: str = ''
    Module: type
    Scope: type
    Parameter: type
    Reference: type | None
    List: type = list
    Dict: type = dict
    StateEntry: type
    StateKey: type
    reference_key: str = 'value'
    errors: Mapping[str, type] = SPEC_ERRORS
    features: frozenset[str] = frozenset()
    not_applicable: Mapping[str, str] = {}
    immutable: bool = False
    identity_ties: frozenset[str] = frozenset()
    static_wrapper: Callable[[Any], Any] | None = None

    def version(self) -> str:
        r"""The version of the implementation actually imported."""

        raise NotImplementedError

    def error_fields(self, error: BaseException) -> ErrorFields | None:
        r"""The fields of a CycleError, TagConflictError or AliasError; by default its
        attributes ``paths``, ``tags`` and ``kinds`` (SPEC.md's names), or :py:`None`
        when it has no ``paths``: the suite then reads its message instead."""

        paths = getattr(error, 'paths', None)
        if paths is None:
            return None
        return ErrorFields(tuple(paths), tuple(getattr(error, 'tags', ())), tuple(getattr(error, 'kinds', ())))

    def error_keys(self, error: BaseException) -> tuple | None:
        r"""The unknown keys that an ``update_state`` error names; by default its
        attribute ``keys``, or :py:`None` when it has none (then its message is read)."""

        keys = getattr(error, 'keys', None)
        return None if keys is None or callable(keys) else tuple(keys)

    def reference(self, tag: Hashable, value: Any) -> Any:
        r"""Creates ``Reference(tag, value)``; the value itself where ties are by identity
        (``Reference`` is :py:`None`)."""

        return value if self.Reference is None else self.Reference(tag, value)

    def module(self, kind: str, attributes: dict[str, Any]) -> Any:
        r"""A module (``kind`` ``'module'``) or a Scope (``'scope'``) holding ``attributes``,
        for an :attr:`immutable` design, which cannot take them after construction."""

        raise NotImplementedError

    def tie(self, root: Any, ties: list[tuple[tuple, list[tuple]]]) -> Any:
        r"""The tree of an :attr:`immutable` design built at ``root``, with its ``ties``:
        each the canonical path and the pruned paths of one tag in one scope (paths of
        ``spec_tests.graphs.graph.Step``). By default the root itself: a design that ties
        by References or by identity has tied its objects as it built them."""

        return root

    def view(self, root: Any) -> Any:
        r"""The tree that a user of the implementation reads from the built (or rebuilt)
        ``root``: by default the root itself. A design that keeps ties in a wrapper
        gives the tree the wrapper writes them back into; the suite reads paths and
        compares identities there."""

        return root

    def attributes(self, obj: Any) -> dict[str, Any]:
        r"""The attributes that a module or a Parameter was given, by name (by default
        its instance ``__dict__``; an implementation that keeps them elsewhere, or keeps
        bookkeeping of its own there, overrides this)."""

        return dict(vars(obj))

    def deref(self, ref: Any) -> Any:
        r"""The value that a Reference holds."""

        return getattr(ref, self.reference_key)

    def partition(self, tree: Any, *filters: Any) -> tuple:
        r"""``(static, *partitions)`` of a module."""

        return tree.partition(*filters)

    def combine(self, static: Any, *partitions: dict[str, Any]) -> Any:
        r"""Rebuilds a module from :meth:`partition`'s results."""

        return static(*partitions)

    def jit(self, f: Callable) -> Callable:
        r"""``jax.jit`` as the implementation applies it to functions of modules."""

        import jax

        return jax.jit(f)

    def grad(self, f: Callable) -> Callable:
        r"""``jax.grad`` as the implementation applies it to functions of modules."""

        import jax

        return jax.grad(f)

    def vmap(self, f: Callable) -> Callable:
        r"""``jax.vmap`` as the implementation applies it to functions of modules."""

        import jax

        return jax.vmap(f)

    def export_state(self, tree: Any) -> tuple:
        r"""``export_state(tree) -> (tree, state)``."""

        raise NotImplementedError

    def update_state(self, state: Any, mutation: dict) -> Any:
        r"""``update_state(state, mutation) -> state``."""

        raise NotImplementedError
