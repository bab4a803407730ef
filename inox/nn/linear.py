r"""Linear layers."""

__all__ = [
    'Linear',
]

import math

import jax
import jax.numpy as jnp

from .module import Module, Parameter
from .share import Reference


class Linear(Module):
    r"""Creates a linear layer :math:`y = x W + b`.

    Arguments:
        in_features: The number of input features.
        out_features: The number of output features.
        bias: Whether the layer has a bias :math:`b`.
        key: A PRNG key to initialize :math:`W`, uniform in
            :math:`\pm 1 / \sqrt{\text{in\_features}}`.

    Example:
        >>> layer = Linear(3, 5, key=jax.random.key(0))
        >>> layer(jnp.ones((2, 3))).shape
        (2, 5)
    """

    weight: Parameter | Reference  # a Reference where the weight is shared
    bias: Parameter | Reference | None

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *, key):
        scale = 1 / math.sqrt(in_features)
        self.weight = Parameter(jax.random.uniform(key, (in_features, out_features), minval=-scale, maxval=scale))
        self.bias = Parameter(jnp.zeros(out_features)) if bias else None

    def __call__(self, x: jax.Array) -> jax.Array:
        y = x @ self.weight()
        return y if self.bias is None else y + self.bias()
