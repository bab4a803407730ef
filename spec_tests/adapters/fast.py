r"""Adapter of the fast implementation, :mod:`inox.fast`: the reference's classes and
rules, flattened for JAX by a second walk (``inox/fast/walk.py``), compiled or not."""

from inox.fast import nn, walk

from .reference import ReferenceAdapter


class FastAdapter(ReferenceAdapter):
    r"""The reference's API, with the classes of :mod:`inox.fast.nn`; its errors, static
    wrapper, features and state utilities are the reference's own."""

    name = 'fast'
    Module = nn.Module
    Scope = nn.Scope
    Parameter = nn.Parameter
    Reference = nn.Reference

    def version(self) -> str:
        # The report names the walk that was judged: the extension module or its source.
        return f'{super().version()}, {"compiled" if walk.COMPILED else "source"} walk'


ADAPTER = FastAdapter()
