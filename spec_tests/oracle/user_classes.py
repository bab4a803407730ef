r"""The classes a user writes: a subclass of an implementation's ``Module`` or ``Scope``,
as ``class WeightSharingMLP(nn.Scope)`` on the source page.

SPEC.md (Terms) holds every rule for modules of such classes too. The suite's class has
what makes one differ from the implementation's own:

- an ``__init__`` with an argument of its own, which an unflatten cannot know, so that a
  rebuild must not call it;
- a ``__setattr__`` of its own (it checks that the name is a string, then writes as the
  base class does), as a frozen or validating module has;
- a method and a property, which are not attributes of the tree.

A graph node with ``user_class`` set is built of it (:mod:`.materialize`), and a rebuilt
node must have that very class (:mod:`.compare`). Each class is made once per base class.
Its name spells the base's module and name: the number of the module's pieces, then each
piece after its length. Pickle finds it in this module by that name (:func:`__getattr__`),
also in a process that never made it, as it finds a user's class.

Example:
    >>> import inox.nn as nn
    >>> Own = user_class(nn.Scope)
    >>> own = Own('built by the suite')
    >>> Own.__name__, isinstance(own, nn.Scope), user_class(nn.Scope) is Own
    ('User3_4inox2nn5share5Scope', True, True)
    >>> Own()
    Traceback (most recent call last):
    ...
    TypeError: User3_4inox2nn5share5Scope.__init__() missing 1 required positional argument: 'note'
    >>> import pickle
    >>> type(pickle.loads(pickle.dumps(own))) is Own
    True
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from ..adapters.spelling import spell, unspell


@functools.cache
def user_class(base: type) -> type:
    r"""The suite's own subclass of ``base`` (an implementation's ``Module`` or
    ``Scope``), made once for that base."""

    class User(base):
        def __init__(self, note: str) -> None:
            super().__init__()

        def __setattr__(self, name: str, value: Any) -> None:
            if not isinstance(name, str):
                raise TypeError(f'an attribute name must be a string, got {name!r}')
            super().__setattr__(name, value)

        def names(self) -> list[str]:
            r"""A method: the names of the attributes, sorted."""

            return sorted(vars(self))

        @property
        def size(self) -> int:
            r"""A property: the number of attributes."""

            return len(vars(self))

    module = base.__module__.split('.')
    name = f'User{len(module)}_' + spell(module + base.__qualname__.split('.'))
    User.__name__, User.__qualname__, User.__module__ = name, name, __name__
    for method in (User.__init__, User.__setattr__, User.names):
        method.__qualname__ = f'{name}.{method.__name__}'
    return User


def __getattr__(name: str) -> type:
    r"""The class :func:`user_class` names ``name``, made if it was not (for pickle)."""

    count, underscore, spelt = name.removeprefix('User').partition('_')
    pieces = unspell(spelt)
    if not (name.startswith('User') and underscore and count.isdigit() and pieces and len(pieces) > int(count)):
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    module = importlib.import_module('.'.join(pieces[: int(count)]))
    return user_class(functools.reduce(getattr, pieces[int(count) :], module))
