r"""Adapter of the fast implementation, :mod:`inox.fast`: the reference's classes and
rules, flattened for JAX by a second walk (``inox/fast/walk.py``)."""

from inox.fast import nn

from .reference import ReferenceAdapter


class FastAdapter(ReferenceAdapter):
    r"""The reference's API, with the classes of :mod:`inox.fast.nn`; its errors, static
    wrapper, features and state utilities are the reference's own."""

    name = 'fast'
    Module = nn.Module
    Scope = nn.Scope
    Parameter = nn.Parameter
    Reference = nn.Reference


ADAPTER = FastAdapter()
