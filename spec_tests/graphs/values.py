r"""The values that graphs are drawn from: attribute names and dict keys, Reference tags,
static values (hashable or not), array dtypes and array types.

Example:
    >>> _usable('partition'), _usable('l1')
    (False, True)
"""

from __future__ import annotations

import dataclasses
import keyword

import jax.numpy as jnp
import numpy as np
from hypothesis import strategies as st

from .foreign import UnnamedTuple

#: Attribute names that modules of released inox versions use for methods.
RESERVED_NAMES = frozenset({'partition', 'train', 'tree_flatten', 'tree_unflatten', 'tree_repr'})


def _usable(name: str) -> bool:
    return not keyword.iskeyword(name) and name not in RESERVED_NAMES


#: Attribute names and dict keys.
names = st.from_regex(r'[a-z][a-z0-9_]{0,5}', fullmatch=True).filter(_usable)

#: Reference tags: short strings, small ints and pairs, so that tags recur.
tags = st.one_of(
    st.from_regex(r'[a-z]{1,3}', fullmatch=True),
    st.integers(0, 9),
    st.tuples(st.sampled_from('pq'), st.integers(0, 3)),
)


#: Static (non-array) values: numbers, strings, None, tuples, functions, a dtype, a
#: scalar type (it has ``dtype`` but no ``shape``), and a tuple subclass that JAX holds
#: as a leaf (:class:`~spec_tests.graphs.foreign.UnnamedTuple`). All hashable; values of
#: different types may be equal (``1``, ``1.0``, ``True``), which TREE-DEFINITION tells apart.
@dataclasses.dataclass(frozen=True)
class Token:
    r"""A hashable static value whose repr is any text, spaces at its ends included
    (SHARE-REPR shows a static value as its own repr).

    Example:
        >>> repr(Token(' Ab '))
        ' Ab '
    """

    text: str

    def __repr__(self) -> str:
        return self.text


statics = st.one_of(
    st.none(),
    st.integers(-3, 300),
    st.from_regex(r'[a-z]{0,3}', fullmatch=True),
    st.booleans(),
    st.sampled_from((0.5, -1.5, 1.0, 2.0)),
    st.tuples(st.integers(0, 2), st.sampled_from('ab')),
    st.tuples(st.integers(0, 2), st.sampled_from('ab')).map(UnnamedTuple),
    st.sampled_from((len, abs, jnp.float32, np.dtype('int8'))),
    st.tuples(
        st.sampled_from(('', ' ')),
        st.text(st.sampled_from('AXYZbxyz<>'), min_size=1, max_size=3),
        st.sampled_from(('', ' ', '\n')),
    ).map(lambda parts: Token(''.join(parts))),
)

#: Static values that cannot be hashed (sets, bytearrays): TREE-DEFINITION compares
#: them by identity, and unequal ones always differ.
unhashable_statics = st.one_of(
    st.sets(st.integers(0, 3), max_size=2),
    st.binary(max_size=2).map(bytearray),
)

DTYPES = ('float32', 'int32', 'float16', 'bool', 'int8', 'uint8')
#: The dtypes that ``jax.grad`` differentiates.
FLOAT_DTYPES = ('float32', 'float16')
FLAVORS = ('jax', 'numpy', 'scalar')

#: The array types drawn by default. Numpy scalars are left to the TREE-LEAF-TYPES
#: property: an implementation that treats them apart then fails that row, instead of
#: every row whose shrunk counterexample would become a lone numpy scalar.
DEFAULT_FLAVORS = ('jax', 'numpy')
