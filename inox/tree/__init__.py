r"""Trees of Python objects and their traversal.

A tree is any nesting of :class:`Namespace` objects (whose branches are their
attributes, sorted by name), lists, tuples, named tuples, dicts, other JAX pytree
nodes, arrays (the leaves) and other values (static: kept in the structure, not in
the leaves).

The package, one concept a module: :mod:`~inox.tree.walk` (flatten, unflatten, fold
and their records), :mod:`~inox.tree.kinds` (the registry of classes, how the walk
handles the values inox does not define, and :class:`Static`), :mod:`~inox.tree.node`
(the node protocol and :class:`Node`), :mod:`~inox.tree.paths`,
:mod:`~inox.tree.namespace`, :mod:`~inox.tree.partition` and :mod:`~inox.tree.repr`.
Sharing is not the walk's business: see :mod:`inox.nn.share`.
"""

__all__ = [
    'CycleError',
    'Flat',
    'LeafSpecError',
    'Namespace',
    'Node',
    'NodeProtocol',
    'NodeProtocolError',
    'PartitionDef',
    'PartitionKeyError',
    'Static',
    'Structure',
    'TreePath',
    'Walk',
    'flatten',
    'fold',
    'is_array',
    'is_node',
    'pathstr',
    'tree_partition',
    'tree_repr',
    'unflatten',
]

from .kinds import Static, is_array, is_node
from .namespace import Namespace
from .node import Node, NodeProtocol, NodeProtocolError
from .partition import LeafSpecError, PartitionDef, PartitionKeyError, tree_partition
from .paths import TreePath, pathstr
from .repr import tree_repr
from .walk import CycleError, Flat, Structure, Walk, flatten, fold, unflatten
