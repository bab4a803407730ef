r"""Activation functions as modules."""

__all__ = [
    'ReLU',
]

import jax

from .module import Module


class ReLU(Module):
    r"""Applies the rectified linear unit :math:`\max(x, 0)` elementwise.

    Example:
        >>> ReLU()(jnp.array([-1.0, 2.0]))
        Array([0., 2.], dtype=float32)
    """

    def __call__(self, x: jax.Array) -> jax.Array:
        return jax.nn.relu(x)
