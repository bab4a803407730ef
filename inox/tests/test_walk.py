r"""The walk's extension surface: the node protocol, its registry and the context hook."""

import pickle
import subprocess
import sys

import jax
import jax.numpy as jnp
import pytest

import inox.nn as nn
from inox.tree import Node, NodeProtocol, NodeProtocolError, Walk, flatten, unflatten


def test_a_half_implemented_node_class_is_rejected_when_created():
    with pytest.raises(NodeProtocolError, match=r'\.Half does not define __tree_unflatten__, __tree_repr__'):

        class Half(Node):
            def __tree_flatten__(self, walk):
                return (), (), None


def test_a_protocol_method_must_be_callable():
    with pytest.raises(NodeProtocolError, match='does not define __tree_repr__'):

        class Broken(nn.Module):
            __tree_repr__ = None  # pyright: ignore[reportAssignmentType] (the broken class under test)


def test_node_classes_follow_the_protocol():
    assert isinstance(nn.Module(), NodeProtocol) and isinstance(nn.Reference('t', 1), NodeProtocol)


class Depth(nn.Module):
    r"""Gives its children their depth in Depth nodes, and records the one it sees."""

    def __tree_context__(self, walk: Walk):
        return (walk.context or 0) + 1

    def __tree_flatten__(self, walk: Walk):
        self.seen = walk.context
        return super().__tree_flatten__(walk)


def test_a_node_gives_its_children_a_context():
    inner = Depth(x=jnp.ones(1))
    outer = Depth(a=inner, b=[Depth(y=jnp.ones(1))])
    flatten(nn.Module(m=outer))
    assert outer.seen is None and inner.seen == 1 and outer.b[0].seen == 1


def test_unflatten_in_a_fresh_process_knows_every_class():  # COPY-PICKLE
    tree = nn.Scope(a=nn.Reference('t', nn.Parameter(jnp.ones(2))), b={'k': (1, jnp.zeros(1))})
    tree.c = tree.a
    flat = flatten(tree)
    code = (
        'import pickle, sys; from inox.tree import unflatten; '
        'structure, leaves = pickle.load(sys.stdin.buffer); tree = unflatten(structure, leaves); '
        'print(tree.a is tree.c, tree.b)'
    )
    data = pickle.dumps((flat.structure, [jax.device_get(x) for x in flat.leaves]))
    out = subprocess.run([sys.executable, '-c', code], input=data, capture_output=True, check=True)
    assert out.stdout.decode().split()[0] == 'True'
    assert unflatten(flat.structure, flat.leaves).b['k'][0] == 1
