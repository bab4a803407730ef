r"""Module state, kept outside the module.

In-place mutations of modules do not survive JAX transformations. Instead, a module
declares its state with :class:`StateEntry`; :func:`export_state` moves every entry
into a state dictionary and leaves a :class:`StateKey` in its place, and the module
returns new state through :func:`update_state`. An entry shared through a
:class:`~inox.nn.share.Reference` in a :class:`~inox.nn.share.Scope` is exported
once, and its References index the state like its key.

Example:
    >>> class Counter(Module):
    ...     def __init__(self):
    ...         self.count = StateEntry(jnp.zeros(()))
    ...     def __call__(self, state):
    ...         return update_state(state, {self.count: state[self.count] + 1})
    >>> counter, state = export_state(Counter())
    >>> state = counter(state)
    >>> state[counter.count]
    Array(1., dtype=float32)
"""

from __future__ import annotations

__all__ = [
    'State',
    'StateEntry',
    'StateKey',
    'StateKeyError',
    'export_state',
    'update_state',
]

from collections.abc import Hashable
from typing import Any, NamedTuple

from ..tree import flatten, unflatten
from .share import Reference


class StateKeyError(KeyError):
    r"""Raised when a mutation names keys that are not in the state (STATE-UPDATE);
    its message is built from its attribute.

    Attributes:
        keys: The unknown keys, in the mutation's order.

    Example:
        >>> error = StateKeyError((StateKey('.b'),))
        >>> error.keys, str(error)
        ((StateKey(key='.b'),), "cannot update unknown state keys [StateKey(key='.b')]")
    """

    def __init__(self, keys: tuple):
        self.keys = keys
        super().__init__(f'cannot update unknown state keys {list(keys)}')

    def __str__(self) -> str:
        return self.args[0]

    def __reduce__(self):
        return StateKeyError, (self.keys,)


class StateEntry(NamedTuple):
    r"""Declares a piece of module state.

    Arguments:
        value: The initial value.
    """

    value: Any


class StateKey(NamedTuple):
    r"""The key of a state entry in the state dictionary (its path in the tree).

    Arguments:
        key: A hashable key.
    """

    key: Hashable


class State(dict):
    r"""A state dictionary; a :class:`~inox.nn.share.Reference` to a
    :class:`StateKey` indexes it like the key itself.

    Example:
        >>> state = State({StateKey('.a'): 1})
        >>> state[Reference('a', StateKey('.a'))]
        1
    """

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(_key(key))

    def __contains__(self, key: Any) -> bool:
        return super().__contains__(_key(key))

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(_key(key), default)


def _key(key: Any) -> Any:
    return key.value if isinstance(key, Reference) else key


def update_state(state: dict, mutation: dict) -> State:
    r"""Returns a copy of :py:`state` updated with :py:`mutation`.

    Raises:
        StateKeyError: If a key of the mutation is not in the state (all are named).

    Example:
        >>> update_state(State({StateKey('.a'): 1}), {StateKey('.a'): 2})
        {StateKey(key='.a'): 2}
    """

    mutation = {_key(key): value for key, value in mutation.items()}
    unknown = [key for key in mutation if key not in state]
    if unknown:
        raise StateKeyError(tuple(unknown))

    state = State(state)
    state.update(mutation)
    return state


def export_state(tree: Any) -> tuple[Any, State]:
    r"""Replaces the state entries of a tree by state keys.

    Arguments:
        tree: A tree or module.

    Returns:
        The stateless tree and the state dictionary.

    Example:
        >>> tree, state = export_state({'a': 1, 'b': StateEntry(jnp.zeros(2))})
        >>> tree
        {'a': 1, 'b': StateKey(key="['b']")}
        >>> state
        {StateKey(key="['b']"): Array([0., 0.], dtype=float32)}
    """

    flat = flatten(tree, is_leaf=lambda x: isinstance(x, StateEntry), with_paths=True)
    state = State()
    leaves = []
    for path, leaf in zip(flat.path_strings, flat.leaves, strict=True):
        if isinstance(leaf, StateEntry):
            key = StateKey(path)  # a path's string is its keystr (the root's is '')
            state[key], leaf = leaf.value, key
        leaves.append(leaf)

    return unflatten(flat.structure, leaves), state
