r"""Names that the docstring examples of inox use without importing them."""

import jax
import jax.numpy as jnp
import pytest


@pytest.fixture(autouse=True)
def doctest_names(doctest_namespace):
    import inox
    import inox.nn as nn
    import inox.tree as tree

    doctest_namespace.update(jax=jax, jnp=jnp, inox=inox, nn=nn)
    doctest_namespace.update({name: getattr(tree, name) for name in tree.__all__})
    doctest_namespace.update({k: v for k, v in vars(nn).items() if not k.startswith('_')})
