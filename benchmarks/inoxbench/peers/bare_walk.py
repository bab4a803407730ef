r"""The floor of a walk in Python: the `scope` peer's models, walked by a bare loop.

The loop does only what any design that walks the model in Python at every call must
do: visit each object once with an explicit stack, keep the arrays, prune a repeated
tag, and rebuild one Reference per tag. It records no paths, checks no cycles, tag
conflicts or aliases, and is not registered with JAX, so it is no implementation of
SPEC.md. It answers one question: how much faster than inox 0.8.0 can such a walk
be at all (the flatten+unflatten target of ``targets.py``)?
"""

from __future__ import annotations

__all__ = ['PEERS']

import functools
import gc

import jax

from inox.nn import Reference

from . import Peer
from .ours import PEERS as OURS

# A Reference's slot setters: its __setattr__ forwards to its value.
_set_tag, _set_value = Reference.tag.__set__, Reference.value.__set__  # pyright: ignore[reportAttributeAccessIssue]


def _collector_paused(walk):
    r"""Pauses the cycle collector during a walk, as inox's own walks do (see the
    README's inox section)."""

    @functools.wraps(walk)
    def paused(*args):
        if not gc.isenabled():
            return walk(*args)
        gc.disable()
        try:
            return walk(*args)
        finally:
            gc.enable()

    return paused


@_collector_paused
def _flatten(tree):
    leaves, records, seen = [], [], set()
    stack = [tree]
    while stack:
        x = stack.pop()
        cls = type(x)
        if cls is list:
            records.append((list, None, len(x)))
            stack.extend(reversed(x))
        elif cls is Reference:
            if x.tag in seen:  # pruned
                records.append((Reference, x.tag, 0))
            else:
                seen.add(x.tag)
                records.append((Reference, x.tag, 1))
                stack.append(x.value)
        elif isinstance(x, jax.Array):
            records.append(None)
            leaves.append(x)
        else:  # a module: its attributes, sorted by name
            attributes = x.__dict__
            names = sorted(attributes)
            records.append((cls, tuple(names), len(names)))
            stack.extend([attributes[name] for name in reversed(names)])
    return leaves, records


@_collector_paused
def _unflatten(leaves, records):
    stack, references, position = [], {}, len(leaves)
    for record in reversed(records):  # pre-order read backwards: children first
        if record is None:
            position -= 1
            stack.append(leaves[position])
            continue
        cls, aux, arity = record
        children = stack[: -arity - 1 : -1]
        del stack[len(stack) - arity :]
        if cls is list:
            stack.append(children)
        elif cls is Reference:
            reference = references.get(aux)
            if reference is None:
                reference = references[aux] = object.__new__(Reference)
                _set_tag(reference, aux)
            if children:
                _set_value(reference, children[0])
            stack.append(reference)
        else:
            module = object.__new__(cls)
            module.__dict__.update(zip(aux, children))  # noqa: B905 (one name per child by construction; strict= costs time in this timed loop)
            stack.append(module)
    return stack[-1]


class BareWalk(Peer):
    r"""A bare Python loop over the `scope` peer's models (see the module's text)."""

    name = 'bare_walk'
    library = 'inox'
    operations = ('flatten', 'unflatten', 'roundtrip')

    def build(self, shape):
        return OURS['scope'].build(shape)

    def flatten(self, model):
        return _flatten(model)

    def unflatten(self, flat):
        return _unflatten(*flat)


PEERS = {'bare_walk': BareWalk()}
