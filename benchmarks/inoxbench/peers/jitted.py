r"""What the jitted benchmarks of all peers share: the input and the gradient step."""

from __future__ import annotations

__all__ = ['example_input', 'sgd_step']

from collections.abc import Callable
from typing import Any

LEARNING_RATE = 0.01


def example_input() -> Any:
    r"""The input given to the first layer: tiny, so that dispatch dominates."""

    import jax.numpy as jnp

    return jnp.ones((4,), dtype=jnp.float32)


def sgd_step(loss: Callable[[Any, Any, Any], Any]) -> Callable:
    r"""A jitted step ``(params, rest, x) -> params`` of gradient descent on ``loss``.

    Every peer passes its parameters and its other arrays as separate arguments and
    closes over its static definition.
    """

    import jax

    @jax.jit
    def step(params, rest, x):
        grads = jax.grad(loss)(params, rest, x)
        return jax.tree.map(lambda p, g: p - LEARNING_RATE * g, params, grads)

    return step
