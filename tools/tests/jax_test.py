"""The locked jax works, on the backend that the configuration selects."""

import os

import jax
import jax.numpy as jnp


def test_jit_runs_on_the_selected_backend():
    expected = "gpu" if os.environ.get("JAX_PLATFORMS") == "cuda" else "cpu"
    assert jax.default_backend() == expected
    assert jax.__version__ == "0.12.0.1"
    assert float(jax.jit(lambda x: (x * x).sum())(jnp.arange(4.0))) == 14.0
