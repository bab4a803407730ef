r"""Modules and parameters.

A module is a :class:`inox.tree.Namespace`: a tree whose branches are its attributes.
Its arrays are the leaves; every other value (numbers, strings, functions) is static.
Parameters are marked with :class:`Parameter`, so that :meth:`Module.partition` can
split them from the rest.
"""

from __future__ import annotations

__all__ = [
    'Module',
    'ModuleDef',
    'Parameter',
]

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import jax.tree_util as jtu

from ..pretty import Doc, wrap
from ..tree import Namespace, PartitionDef, Walk, tree_partition

# What a Namespace's flatten gives for a parameter that holds its value alone (never mutated).
_VALUE_NAMES = ('value',)
_VALUE_KEYS = [jtu.GetAttrKey('value')]


class ModuleDef(PartitionDef):
    r"""The static definition of a module, as returned by :meth:`Module.partition`.

    Calling it with the array partitions rebuilds the module, with its shared
    references restored.

    Example:
        >>> static, arrays = Module(w=Parameter(jnp.ones(2)), n=3).partition()
        >>> static(arrays)
        Module(
          n = 3,
          w = Parameter(float32[2])
        )
    """


class Module(Namespace):
    r"""Base class for all modules.

    Arguments:
        kwargs: A name-value mapping.
    """

    def partition(self, *filters: type | Callable[[Any], bool]) -> tuple[ModuleDef, *tuple[dict[str, Any], ...]]:
        r"""Splits the static definition of the module from its arrays.

        Each array goes to the mapping of the first filter satisfied by its ancestor
        closest to the module (itself included); the last mapping holds the rest.
        Keys are the arrays' paths.

        Arguments:
            filters: Types (:py:`isinstance`) or predicates.

        Returns:
            The module definition and one path-array mapping per filter, plus one.

        Example:
            >>> model = Module(w=Parameter(jnp.ones(2)), b=jnp.zeros(1))
            >>> static, params, others = model.partition(Parameter)
            >>> params, others
            ({'.w.value': Array([1., 1.], dtype=float32)}, {'.b': Array([0.], dtype=float32)})
        """

        return tree_partition(self, *filters, definition=ModuleDef)


class Parameter(Namespace):
    r"""Wraps an array to mark it as optimizable.

    Attribute reads that the parameter does not answer itself go to its array.

    Arguments:
        value: An array.

    Example:
        >>> weight = Parameter(jnp.ones((3, 5))); weight
        Parameter(float32[3, 5])
        >>> weight.shape
        (3, 5)
    """

    def __init__(self, value: Any):
        self.value = jnp.asarray(value)

    def __call__(self) -> Any:
        r"""Returns the wrapped array."""

        return self.value

    def __getattr__(self, name: str) -> Any:
        if name == 'value' or name.startswith('__'):
            raise AttributeError(name)
        return getattr(self.value, name)

    def __tree_flatten__(self, walk: Walk):
        attributes = self.__dict__
        if len(attributes) == 1 and 'value' in attributes:  # its array alone, the common case: no layout to look up
            return _VALUE_KEYS, [attributes['value']], _VALUE_NAMES
        return super().__tree_flatten__(walk)

    @classmethod
    def __tree_unflatten__(cls, names: tuple, children: list, shared: dict):
        if names != _VALUE_NAMES:
            return super().__tree_unflatten__(names, children, shared)
        self = object.__new__(cls)
        self.__dict__['value'] = children[0]
        return self

    @classmethod
    def __tree_repr__(cls, names: tuple, children: list[Doc], **kwargs) -> Doc:
        if names == _VALUE_NAMES:
            return wrap(f'{cls.__name__}(', children[0], ')')
        return super().__tree_repr__(names, children, **kwargs)
