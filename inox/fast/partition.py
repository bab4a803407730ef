r"""The fast partition: the reference's :func:`inox.tree.tree_partition`, with the keys
and filter groups of the leaves read from the structure that the fast walk makes, once
per structure and filters (:func:`inox.fast.walk.layout_of`), instead of a walk of the
tree with paths and filters at every call.

The records of a structure hold all that a leaf's key and group depend on where every
filter is a class of metaclass :py:`type` (then :py:`isinstance` depends on the object's
class alone): its ancestors' attribute names, indices, keys and classes. Any other filter
(a predicate, an abstract class), and any tree with a record of a class that the fast
walk does not know, is partitioned by the reference.

Example:
    >>> from inox.fast.nn import Module, Parameter
    >>> tree = Module(w=Parameter(jax.numpy.ones(2)), b=[jax.numpy.zeros(1)])
    >>> definition, params, rest = tree_partition(tree, Parameter)
    >>> list(params), list(rest), definition == inox.tree.tree_partition(tree, Parameter)[0]
    (['.w.value'], ['.b[0]'], True)
"""

from __future__ import annotations

__all__ = ['tree_partition']

from typing import Any

from ..tree import PartitionDef
from ..tree import tree_partition as reference_partition
from ..tree.partition import partitioned
from ..tree.walk import collector_paused
from . import walk


@collector_paused
def tree_partition(tree: Any, *filters: Any, definition: type[PartitionDef] = PartitionDef) -> tuple:
    r"""The reference's :func:`inox.tree.tree_partition`: the definition of :py:`tree`
    and one path-leaf mapping per filter, plus the rest's."""

    return _partition(tree, filters, definition)


def _partition(tree: Any, filters: tuple, definition: type[PartitionDef]) -> tuple:
    if all(type(f) is type for f in filters):
        leaves, structure = walk.flatten_leaves(tree)
        layout = walk.layout_of(structure, filters)
        if layout is not None:
            keys, groups = layout
            # A leaf with no ancestor of a filter's class goes by its own class (PART-FILTERS).
            groups = [_group_of(leaf, filters) if group is None else group for group, leaf in zip(groups, leaves)]  # noqa: B905
            return partitioned(definition, structure, keys, groups, leaves, len(filters) + 1)
    return reference_partition(tree, *filters, definition=definition)


def _group_of(leaf: Any, filters: tuple) -> int:
    r"""The index of the first of the classes :py:`filters` of which :py:`leaf` is an
    instance, or -1 (the rest)."""

    return next((i for i, f in enumerate(filters) if isinstance(leaf, f)), -1)
