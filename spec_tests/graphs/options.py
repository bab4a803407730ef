r"""What :func:`~spec_tests.graphs.builder.graphs` may draw, checked when made.

Example:
    >>> Options(max_depth=2).max_depth
    2
    >>> Options(root='tree')
    Traceback (most recent call last):
    ...
    spec_tests.graphs.options.OptionsError: Options.root must be 'scope', 'module' or None, got 'tree'
"""

from __future__ import annotations

import dataclasses

from .values import DEFAULT_FLAVORS, DTYPES, FLAVORS


class OptionsError(ValueError):
    r"""Raised when an :class:`Options` field has a value it cannot have; the message
    names the field and the value."""


@dataclasses.dataclass(frozen=True)
class Options:
    r"""What :func:`graphs` may draw.

    Attributes:
        max_nodes: Soft bound on the number of nodes of the owned tree.
        max_depth: Bound on the nesting depth of the owned tree.
        max_children: Bound on the number of children of one container.
        max_extras: Bound on the number of extra positions (ties, twins, copies).
        root: ``'scope'``, ``'module'``, or :py:`None` for either.
        scopes: Whether nested Scopes may appear.
        cycles: Whether extra positions may close cycles.
        references: Whether References may appear.
        statics: Whether static values may appear.
        entries: Whether StateEntry nodes may appear.
        force_cycle: Whether to close at least one cycle through a Reference;
            :py:`None` draws whether to.
        dtypes: The array dtypes to draw from.
        flavors: The array types to draw from, among :data:`FLAVORS`.
        max_rank: Bound on the number of array dimensions.
    """

    max_nodes: int = 30
    max_depth: int = 5
    max_children: int = 4
    max_extras: int = 6
    root: str | None = None
    scopes: bool = True
    cycles: bool = True
    references: bool = True
    statics: bool = True
    entries: bool = False
    force_cycle: bool | None = False
    dtypes: tuple[str, ...] = DTYPES
    flavors: tuple[str, ...] = DEFAULT_FLAVORS
    max_rank: int = 3

    def __post_init__(self):
        for name in ('max_nodes', 'max_depth', 'max_children', 'max_extras', 'max_rank'):
            value = getattr(self, name)
            if type(value) is not int or value < (1 if name == 'max_nodes' else 0):
                least = 1 if name == 'max_nodes' else 0
                raise OptionsError(f'Options.{name} must be an int of at least {least}, got {value!r}')
        for name in ('scopes', 'cycles', 'references', 'statics', 'entries'):
            if type(getattr(self, name)) is not bool:
                raise OptionsError(f'Options.{name} must be True or False, got {getattr(self, name)!r}')
        if self.root not in ('scope', 'module', None):
            raise OptionsError(f"Options.root must be 'scope', 'module' or None, got {self.root!r}")
        if self.force_cycle not in (True, False, None) or type(self.force_cycle) not in (bool, type(None)):
            raise OptionsError(f'Options.force_cycle must be True, False or None, got {self.force_cycle!r}')
        for name, known in (('dtypes', DTYPES), ('flavors', FLAVORS)):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not value or any(v not in known for v in value):
                raise OptionsError(f'Options.{name} must be a non-empty tuple of {known}, got {value!r}')
