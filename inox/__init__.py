r"""inox: the reference implementation of weight sharing in JAX module trees."""

__all__ = ['nn', 'tree', 'tree_repr']

__version__ = '0.1.0'

from . import nn, tree
from .tree import tree_repr
