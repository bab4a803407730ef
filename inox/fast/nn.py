r"""The module classes of the fast implementation: the reference's (:mod:`inox.nn`),
registered with JAX through the fast walk (:mod:`inox.fast.walk`).

Each class here is a subclass of the reference's class of the same name, with the same
API and the same rules: only how JAX flattens and unflattens its trees changes. A
subclass of these classes is registered the same way when it is created; the walk
handles its objects inline when it keeps the node methods of its base, and hands
trees holding any other node class to the reference walk.

Example:
    >>> from inox.fast import nn
    >>> layer = nn.Module(w=nn.Parameter(jnp.ones(2)))
    >>> model = nn.Scope(a=nn.Reference('w', layer), b=nn.Reference('w', layer))
    >>> leaves, definition = jax.tree_util.tree_flatten(model)
    >>> copy = jax.tree_util.tree_unflatten(definition, leaves)
    >>> copy.a is copy.b, len(leaves)
    (True, 1)
"""

from __future__ import annotations

__all__ = [
    'AliasError',
    'Module',
    'ModuleDef',
    'Parameter',
    'Reference',
    'Scope',
    'State',
    'StateEntry',
    'StateKey',
    'StateKeyError',
    'TagConflictError',
    'export_state',
    'update_state',
]

from ..nn import (
    AliasError,
    ModuleDef,
    State,
    StateEntry,
    StateKey,
    StateKeyError,
    TagConflictError,
    export_state,
    update_state,
)
from ..nn import Module as _Module
from ..nn import Parameter as _Parameter
from ..nn import Reference as _Reference
from ..nn import Scope as _Scope
from ..tree import Namespace
from ..tree.node import register
from . import walk
from .partition import tree_partition

_NODE_METHODS = ('__tree_flatten__', '__tree_unflatten__', '__tree_context__')

# The classes whose node methods the walk inlines, each with its role (see walk.know)
# and the attributes of object that a class must keep to play it: a class plays a role
# when it has exactly that class's node methods and keeps those. Every role keeps
# __new__, as the fold creates objects with object.__new__ as the reference's builds do,
# and __class__, as the fast partition decides whether an object is an instance of a
# filter's class by the class in its record. A Reference keeps __eq__ and __hash__ too:
# the flatten keys the References met in a scope by the objects themselves.
_ROLES = (
    (_Scope, 'scope', ('__new__', '__class__')),
    (_Reference, 'reference', ('__new__', '__class__', '__eq__', '__hash__')),
    (_Parameter, 'parameter', ('__new__', '__class__')),
    (Namespace, 'namespace', ('__new__', '__class__')),
)


def _role(cls: type) -> str | None:
    r"""The role that the walk can play for :py:`cls` (see :data:`_ROLES`), if any.

    Example:
        >>> class Tied(Module):
        ...     def __tree_flatten__(self, walk):
        ...         return super().__tree_flatten__(walk)
        >>> class Counted(Module):
        ...     def __new__(cls, *args, **kwargs):
        ...         return super().__new__(cls)
        >>> _role(Module), _role(Scope), _role(Tied), _role(Counted)
        ('namespace', 'scope', None, None)
    """

    owners = tuple(walk.owner_of(cls, name) for name in _NODE_METHODS)
    for base, role, kept in _ROLES:
        if issubclass(cls, base) and owners == tuple(walk.owner_of(base, name) for name in _NODE_METHODS):
            return role if all(walk.owner_of(cls, name) is object for name in kept) else None
    return None


def _register(cls: type) -> None:
    r"""Registers a node class with the walk and JAX as the reference does, JAX's
    flatten and unflatten being the fast walk's."""

    register(cls, flatten_leaves=walk.flatten_leaves, rebuild=walk.unflatten)
    role = _role(cls)
    if role is not None:
        walk.know(cls, role)


class Module(_Module):
    r"""The reference's :class:`inox.nn.Module`, flattened by the fast walk."""

    __tree_register__ = staticmethod(_register)

    def partition(self, *filters):
        r"""The reference's :meth:`inox.nn.Module.partition`, by the fast partition
        (:mod:`inox.fast.partition`). Its definition rebuilds the tree by the fast
        unflatten, which the root's class is registered with (see
        :data:`inox.tree.node.REBUILDS`)."""

        return tree_partition(self, *filters, definition=ModuleDef)


class Scope(_Scope, Module):
    r"""The reference's :class:`inox.nn.Scope`, flattened by the fast walk."""


class Parameter(_Parameter):
    r"""The reference's :class:`inox.nn.Parameter`, flattened by the fast walk."""

    __tree_register__ = staticmethod(_register)


class Reference(_Reference):
    r"""The reference's :class:`inox.nn.Reference`, flattened by the fast walk."""

    __slots__ = ()
    __tree_register__ = staticmethod(_register)
