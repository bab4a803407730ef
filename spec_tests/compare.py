r"""Checks a live tree against a :class:`~spec_tests.model.Model`.

Every check walks access paths of the model (:meth:`Model.paths`) through the live
objects with :func:`~spec_tests.materialize.resolve` and compares what it finds with
the graph: the kind of each object, its attribute names or keys, the values of arrays
and static values, and identity: all paths to one instance must reach one object.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from .adapters import Adapter
from .foreign import Box, record_class
from .graph import Path, keystr
from .materialize import Live, array_value, materialize, resolve
from .model import IDENTITIES, Model, walk


def is_array(x: Any) -> bool:
    r"""Whether ``x`` is an array in the sense of SPEC.md (a leaf)."""

    return isinstance(x, (jax.Array, np.ndarray, np.generic))


def array_leaves(tree: Any) -> list[Any]:
    r"""The leaves of ``tree`` that are arrays, in JAX's order. (Released inox versions
    also list static values as leaves; TREE-STATIC checks that separately.)"""

    return [x for x in jax.tree_util.tree_leaves(tree) if is_array(x)]


def array_paths(tree: Any) -> list[tuple]:
    r"""The ``(keystr(path), leaf)`` of each array leaf of ``tree``, in JAX's order."""

    pairs = jax.tree_util.tree_flatten_with_path(tree)[0]
    return [(jax.tree_util.keystr(path), x) for path, x in pairs if is_array(x)]


def bump(x: Any) -> Any:
    r"""Another array of the same type, shape and dtype as ``x``: ``x + 1``, or ``~x``
    for booleans."""

    y = ~x if x.dtype == bool else x + 1
    return np.asarray(y) if isinstance(x, np.ndarray) else y  # numpy makes 0-d results scalars


def error_text(error: BaseException) -> str:
    r"""The message of an exception as a traceback shows it, ``str(error)``; a plain
    ``KeyError`` shows the repr of its message, so that message is the text."""

    text = str(error)
    if isinstance(error, KeyError) and len(error.args) == 1 and text == repr(error.args[0]):
        return error.args[0]
    return text


def where(impl: Adapter, path: Path) -> str:
    r"""A path as the implementation prints it."""

    return keystr(path, impl.reference_key) or '<root>'


def expected_array(model: Model, instance: int, offset: int = 0) -> np.ndarray:
    r"""The array that leaf ``instance`` must hold."""

    return np.asarray(array_value(model.graph[model.instances[instance].node], offset=offset))


def assert_array(actual: Any, expected: np.ndarray, at: str) -> None:
    r"""Asserts that ``actual`` is an array equal to ``expected``, shape and dtype
    included."""

    assert is_array(actual), f'{at}: expected an array, found {type(actual).__name__}'
    actual = np.asarray(actual)
    assert actual.shape == expected.shape and actual.dtype == expected.dtype, (
        f'{at}: expected {expected.dtype}{list(expected.shape)}, found {actual.dtype}{list(actual.shape)}'
    )
    assert np.array_equal(actual, expected), f'{at}: expected values {expected.tolist()}, found {actual.tolist()}'


def assert_kind(impl: Adapter, model: Model, instance: int, x: Any, at: str) -> None:
    r"""Asserts that ``x`` has the kind, names and keys of graph node of ``instance``."""

    node = model.graph[model.instances[instance].node]
    kind = node.kind
    if kind in ('module', 'scope'):
        assert isinstance(x, impl.Module), f'{at}: expected a {kind}, found {type(x).__name__}'
        assert isinstance(x, impl.Scope) == (kind == 'scope'), f'{at}: expected a {kind}, found {type(x).__name__}'
        assert sorted(vars(x)) == sorted(node.keys), \
            f'{at}: expected attributes {sorted(node.keys)}, found {sorted(vars(x))}'
    elif kind in ('list', 'tuple', 'dict'):
        assert type(x).__name__ == kind, f'{at}: expected a {kind}, found {type(x).__name__}'
        if kind == 'dict':
            assert sorted(x) == sorted(node.keys), f'{at}: expected keys {sorted(node.keys)}, found {sorted(x)}'
        else:
            assert len(x) == len(node.children), f'{at}: expected {len(node.children)} items, found {len(x)}'
    elif kind == 'record':
        assert type(x) is record_class(node.keys), \
            f'{at}: expected a named tuple of fields {node.keys}, found {type(x).__name__}'
    elif kind == 'box':
        assert type(x) is Box, f'{at}: expected a Box, found {type(x).__name__}'
        assert tuple(vars(x)) == node.keys, f'{at}: expected attributes {node.keys}, found {tuple(vars(x))}'
    elif kind == 'param':
        assert isinstance(x, impl.Parameter), f'{at}: expected a Parameter, found {type(x).__name__}'
    elif kind == 'entry':
        assert isinstance(x, impl.StateEntry), f'{at}: expected a StateEntry, found {type(x).__name__}'
    elif kind == 'ref':
        assert isinstance(x, impl.Reference), f'{at}: expected a Reference, found {type(x).__name__}'
        assert x.tag == node.tag, f'{at}: expected tag {node.tag!r}, found {x.tag!r}'
    elif kind == 'static':
        expected = impl.static(node.value) if node.wrapped else node.value
        assert type(x) is type(expected) and x == expected, f'{at}: expected {expected!r}, found {x!r}'


def check_tree(
    impl: Adapter,
    model: Model,
    root: Any,
    *,
    offset: int = 0,
    values: dict[int, np.ndarray] | None = None,
    limit: int = 400,
    references: str = 'same',
) -> None:
    r"""Asserts that ``root`` is the tree that ``model`` describes, ties and cycles
    included (SHARE-ROUNDTRIP-IDENTITY, SHARE-CYCLES).

    Arguments:
        impl: The adapter.
        model: The model of the graph ``root`` was built from.
        root: The live tree.
        offset: The offset of the array values (see :func:`array_value`).
        values: Expected arrays by leaf instance, instead of the graph's.
        limit: The number of access paths to follow.
        references: ``same`` if all occurrences of a tag in a scope must be one
            Reference object, ``value`` if they need only hold one value.
    """

    found: dict[int, Any] = {}
    first: dict[int, str] = {}
    for path in model.paths(limit):
        at = where(impl, path)
        try:
            x = resolve(impl, root, path)
        except Exception as error:
            raise AssertionError(f'{at}: cannot be reached ({type(error).__name__}: {error})') from None
        instance = model.instance_at(path)
        if instance.kind == 'array':
            expected = values[instance.id] if values is not None else expected_array(model, instance.id, offset)
            assert_array(x, expected, at)
            continue
        assert_kind(impl, model, instance.id, x, at)
        if instance.kind not in IDENTITIES:
            continue
        if instance.kind == 'ref' and references == 'value':
            x = impl.deref(x)
        if instance.id in found:
            assert x is found[instance.id], (
                f'{at} and {first[instance.id]} must be one object (a tie or a cycle), '
                f'found two {type(x).__name__} objects'
            )
        else:
            found[instance.id], first[instance.id] = x, at


def flatten_error(impl: Adapter, graph, error: str) -> tuple:
    r"""Flattens ``graph``, which must raise the SPEC error ``error``; returns the
    model, the live graph and the error's message."""

    import pytest

    model = walk(graph)
    assert model.failure is not None and model.failure.error == error, 'the strategy made a wrong example'
    live = materialize(graph, impl)
    with pytest.raises(impl.errors[error]) as caught:
        jax.tree_util.tree_leaves(live.root)
    return model, live, error_text(caught.value)


def names_paths(impl: Adapter, model: Model, message: str) -> None:
    r"""Asserts that ``message`` names every path of the model's failure (the root
    has no path to name)."""

    assert model.failure is not None, 'the model has no failure'
    for path in model.failure.paths:
        if path:
            text = keystr(path, impl.reference_key)
            assert text in message, f'the message does not name the path {text}: {message}'


def names_tag(tag: Any, message: str) -> None:
    r"""Asserts that ``message`` names ``tag``."""

    assert repr(tag) in message or str(tag) in message, f'the message does not name the tag {tag!r}: {message}'


def names_cycle(impl: Adapter, model: Model, live: Live, message: str) -> None:
    r"""Asserts what a CycleError names (TREE-CYCLE-ERROR): the type of the node that
    contains itself, its tag if it is a Reference, and both positions."""

    assert model.failure is not None, 'the model has no failure'
    node = type(live.objects[model.failure.node]).__name__
    assert node in message, f'the message does not name the type {node}: {message}'
    for tag in model.failure.tags:
        names_tag(tag, message)
    names_paths(impl, model, message)
