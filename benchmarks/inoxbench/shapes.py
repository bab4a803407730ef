r"""The shapes of the benchmarked models, the same for every peer.

A model is a list of ``n`` layers, each with a 4x4 weight and a 4-vector bias, so that
walking the tree, not computing, is what the benchmarks measure. A fraction of the
positions is tied: position ``i`` holds unique layer ``i % unique``, so the first
``unique`` positions hold distinct layers and the others repeat them. The cyclic
variant has no tied positions, but every layer holds a reference back to the list
that holds it.
"""

from __future__ import annotations

__all__ = ['SIZES', 'VARIANTS', 'SHAPES', 'Shape', 'unique_arrays']

import functools
from typing import Any, NamedTuple

SIZES = (10, 100, 1_000, 10_000)

# Variant name -> (fraction of tied positions, cyclic).
VARIANTS = {
    'tied0': (0.0, False),
    'tied50': (0.5, False),
    'tied90': (0.9, False),
    'cyclic': (0.0, True),
}


class Shape(NamedTuple):
    r"""The shape of one benchmarked model.

    Example:
        >>> shape = Shape(10, 'tied90')
        >>> shape.name, shape.unique, [shape.source(i) for i in (0, 1, 2)]
        ('N10-tied90', 1, [0, 0, 0])
    """

    n: int
    variant: str

    @property
    def name(self) -> str:
        r"""The name of the shape in benchmark ids, e.g. ``N1000-tied50``."""

        return f'N{self.n}-{self.variant}'

    @property
    def cyclic(self) -> bool:
        r"""Whether every layer refers back to the list that holds it."""

        return VARIANTS[self.variant][1]

    @property
    def unique(self) -> int:
        r"""The number of distinct layers."""

        return self.n - round(self.n * VARIANTS[self.variant][0])

    def source(self, position: int) -> int:
        r"""The unique layer held at a position."""

        return position % self.unique


# Ascending sizes within a variant: the timing policy extrapolates from the size before.
SHAPES = [Shape(n, variant) for variant in VARIANTS for n in SIZES]


@functools.cache
def unique_arrays(unique: int) -> list[tuple[Any, Any]]:
    r"""The (weight, bias) arrays of the unique layers, shared by all peers.

    They are created once per count, so that every peer holds the very same leaves.
    """

    import jax.numpy as jnp

    return [
        (jnp.full((4, 4), (j + 1) / unique, dtype=jnp.float32), jnp.full((4,), -j / unique, dtype=jnp.float32))
        for j in range(unique)
    ]
