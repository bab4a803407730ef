r"""The adapter of a released inox version (0.5.0 to 0.8.0), made from its entry in the
catalogue (``spec_tests/catalogue.bzl``): :func:`adapter`.

Released versions keep non-array values among the JAX leaves and offer lifted
transformations (``inox.jit``, ``inox.grad``, ``inox.vmap``) that treat them as static:
those are their documented way to transform a function of a module, so SHARE-JIT,
SHARE-GRAD and SHARE-VMAP use them, while TREE-STATIC checks plain ``jax.jit``. They
have no dedicated error classes: each SPEC error maps to the builtin base SPEC.md
requires (the default of :class:`~spec_tests.adapters.base.Adapter`), and their errors
carry only a message, which the suite reads.
"""

import inox
import inox.nn as nn

from .base import Adapter


class ReleasedAdapter(Adapter):
    r"""What inox 0.5.0, 0.7.1 and 0.8.0 have in common."""

    Module = nn.Module
    Scope = nn.Scope
    Parameter = nn.Parameter
    Reference = nn.Reference
    StateEntry = nn.StateEntry
    StateKey = nn.StateKey
    features = frozenset({'repr', 'state', 'tags'})  # documented by every release; deep trees are not

    def version(self) -> str:
        return inox.__version__

    def error_fields(self, error):
        return None  # a message only

    def error_keys(self, error):
        return None  # a message only

    def jit(self, f):
        return inox.jit(f)  # pyright: ignore[reportAttributeAccessIssue] (a release has it; ours not)

    def grad(self, f):
        return inox.grad(f)  # pyright: ignore[reportAttributeAccessIssue] (a release has it; ours not)

    def vmap(self, f):
        return inox.vmap(f)  # pyright: ignore[reportAttributeAccessIssue] (a release has it; ours not)

    def export_state(self, tree):
        return nn.export_state(tree)

    def update_state(self, state, mutation):
        return nn.update_state(state, mutation)


def adapter(version: str, reference_key: str = 'value') -> ReleasedAdapter:
    r"""The adapter of release ``version``; ``reference_key`` names the attribute of its
    Reference that holds the referenced object (``obj`` since 0.8.0). Raises ImportError
    when ``import inox`` did not find that release."""

    if inox.__version__ != version:
        raise ImportError(
            f'this adapter needs inox {version}, but `import inox` found inox {inox.__version__} at {inox.__file__}'
        )
    released = ReleasedAdapter()
    released.name, released.reference_key = f'inox-{version}', reference_key
    return released
