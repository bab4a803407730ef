r"""Adapter of Flax NNX (0.12) under JAX's own transformations: ``jax.jit``, ``jax.grad``
and ``jax.vmap`` applied to functions of NNX modules, as a user of raw JAX calls them (an
``nnx.Module`` is a JAX pytree since Flax 0.11). The graphs, partition and combine are
:mod:`.nnx`'s, so this column can differ from that one only where a rule applies the
adapter's transformations: SHARE-JIT, SHARE-GRAD and SHARE-VMAP.

Example:
    >>> import jax.numpy as jnp
    >>> module = ADAPTER.Module()
    >>> module.a = module.b = ADAPTER.Parameter(jnp.ones(2))
    >>> again = ADAPTER.jit(lambda m: m)(module)
    >>> again.a is again.b  # a JAX pytree holds no identity
    False
"""

from .base import Adapter
from .nnx import NNXAdapter


class NNXUnderJAX(NNXAdapter):
    r"""Flax NNX with ``jax.jit``, ``jax.grad`` and ``jax.vmap``."""

    name = 'nnx_jax'
    jit = Adapter.jit
    grad = Adapter.grad
    vmap = Adapter.vmap


ADAPTER = NNXUnderJAX()
