r"""Partitions of a tree: its definition apart from path-leaf mappings."""

from __future__ import annotations

__all__ = [
    'LeafSpecError',
    'PartitionDef',
    'PartitionKeyError',
    'partitioned',
    'tree_partition',
]

from collections.abc import Callable
from typing import Any, cast

import jax.tree_util as jtu
import numpy as np

from .node import REBUILDS
from .walk import Structure, collector_paused, flatten, unflatten


class PartitionKeyError(KeyError):
    r"""Raised when partitions given to a :class:`PartitionDef` miss keys of the tree
    or hold keys it does not have."""

    def __str__(self) -> str:
        return str(self.args[0])


class LeafSpecError(ValueError):
    r"""Raised when an array given to a :class:`PartitionDef` has another shape or
    dtype than the leaf at its key had when the tree was partitioned."""


def _spec(x: Any) -> tuple | None:
    shape, dtype = getattr(x, 'shape', None), getattr(x, 'dtype', None)
    if shape is None or dtype is None:
        return None
    return (tuple(shape), np.dtype(dtype))


def _predicate(f: Any) -> Callable[[Any], bool]:
    if isinstance(f, type):
        return f.__instancecheck__  # isinstance(x, f), as one call
    if callable(f):
        return cast(Callable[[Any], bool], f)
    raise TypeError(f'a filter must be a type or a predicate, got {type(f).__name__}')


class PartitionDef:
    r"""The static part of a partitioned tree; calling it with the partitions
    rebuilds the tree.

    It is a JAX pytree without leaves, so it passes through transformations as a
    static argument: :py:`jax.jit(f)(definition, params)` traces :py:`f` once per
    distinct definition.

    See also:
        :func:`tree_partition`

    Arguments:
        structure: The structure of the tree.
        keys: The key of each leaf, in leaf order.
        specs: The shape and dtype of each leaf, or :py:`None` for non-arrays.

    Example:
        >>> definition, leaves = tree_partition([jax.numpy.ones(2)])
        >>> jax.jit(lambda d, p: d(p)[0] + 1)(definition, leaves)
        Array([2., 2.], dtype=float32)
    """

    __slots__ = ('structure', 'keys', 'specs')

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _register(cls)

    def __init__(self, structure: Structure, keys: tuple, specs: tuple):
        self.structure, self.keys, self.specs = structure, keys, specs

    def __eq__(self, other: Any) -> bool:
        return type(self) is type(other) and (self.structure, self.keys, self.specs) == (
            other.structure,
            other.keys,
            other.specs,
        )

    def __hash__(self) -> int:
        return hash((self.structure, self.keys))

    def __repr__(self) -> str:
        return f'{type(self).__name__}({len(self.keys)} leaves)'

    @collector_paused
    def __call__(self, *partitions: dict[str, Any]) -> Any:
        r"""Rebuilds the tree from path-leaf mappings.

        Raises:
            PartitionKeyError: If keys are missing or unexpected (all are named).
            LeafSpecError: If arrays have another shape or dtype (all are named).
        """

        return self._rebuild(partitions)

    def _rebuild(self, partitions: tuple[dict[str, Any], ...]) -> Any:
        leaves = {}
        for partition in partitions:
            leaves.update(partition)

        # The keys are unique: with none missing, an unexpected one shows in the count.
        missing = [key for key in self.keys if key not in leaves]
        if missing or len(leaves) != len(self.keys):
            known = set(self.keys)
            unexpected = [key for key in leaves if key not in known]
            raise PartitionKeyError(f'cannot rebuild the tree: missing keys {missing}, unexpected keys {unexpected}')

        values = [leaves[key] for key in self.keys]
        # Arrays given back as they were partitioned, the common case, pass one comparison
        # of all specs; anything else is checked key by key.
        if [(getattr(x, 'shape', None), getattr(x, 'dtype', None)) for x in values] != list(self.specs):
            self._check_specs(values)
        # As JAX's unflatten does: by what the class of the root was registered with.
        rebuild = REBUILDS.get(self.structure.records[0][0], unflatten)
        return rebuild(self.structure, values)

    def _check_specs(self, values: list[Any]) -> None:
        r"""Raises :class:`LeafSpecError` naming every array of another shape or dtype
        than the leaf at its key had."""

        mismatched = []
        for key, spec, value in zip(self.keys, self.specs, values, strict=True):
            given = _spec(value)
            if spec is not None and given is not None and given != spec:
                mismatched.append(f'{key}: expected {spec[1]}{list(spec[0])}, got {given[1]}{list(given[0])}')
        if mismatched:
            raise LeafSpecError('cannot rebuild the tree: ' + '; '.join(mismatched))


def _register(cls: type[PartitionDef]) -> None:
    r"""Makes a definition class a JAX pytree without children whose auxiliary data
    is the definition itself (hashable and compared by value)."""

    jtu.register_pytree_node(cls, lambda d: ((), d), lambda d, _: d)


_register(PartitionDef)


@collector_paused
def tree_partition(tree: Any, *filters: Any, definition: type[PartitionDef] = PartitionDef) -> tuple:
    r"""Splits a tree into its definition and path-leaf mappings.

    Each leaf goes to the mapping of the first filter satisfied by its ancestor
    closest to the root (itself included); the last mapping holds the other leaves.
    Filters are types (:py:`isinstance`) or predicates. Keys are the leaves' paths,
    as strings (see :class:`~inox.tree.TreePath`).

    Example:
        >>> tree = Namespace(a=jax.numpy.arange(2), b=[Static(jax.numpy.ones(1)), 2.0])
        >>> definition, leaves = tree_partition(tree)
        >>> leaves
        {'.a': Array([0, 1], dtype=int32)}
        >>> definition(leaves)
        Namespace(
          a = int32[2],
          b = [Static(float32[1]), 2.0]
        )
    """

    return _partition(tree, filters, definition)


def _partition(tree: Any, filters: tuple, definition: type[PartitionDef]) -> tuple:
    predicates = [_predicate(f) for f in filters]
    flat = flatten(tree, filters=predicates, with_paths=True)
    return partitioned(definition, flat.structure, tuple(flat.path_strings), flat.groups, flat.leaves, len(filters) + 1)


def partitioned(
    definition: type[PartitionDef], structure: Structure, keys: tuple, groups: list, leaves: list, count: int
) -> tuple:
    r"""What :func:`tree_partition` returns for a tree of :py:`structure` and
    :py:`leaves`: the definition, and :py:`count` mappings (the filters', then the
    rest's), each leaf under its key in the mapping of its group (-1: the rest's).

    Example:
        >>> leaves = [jax.numpy.ones(1), jax.numpy.zeros(1)]
        >>> structure = flatten(leaves).structure
        >>> definition, first, second, rest = partitioned(PartitionDef, structure, ('[0]', '[1]'), [0, -1], leaves, 3)
        >>> list(first), list(second), list(rest)
        (['[0]'], [], ['[1]'])
    """

    partitions = [{} for _ in range(count)]
    for key, group, leaf in zip(keys, groups, leaves, strict=True):
        partitions[group][key] = leaf
    return (definition(structure, keys, tuple(map(_spec, leaves))), *partitions)
