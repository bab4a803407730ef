r"""Checks a live tree against a :class:`~spec_tests.oracle.model.Model`.

Every check walks access paths of the model (:meth:`Model.paths`) through the live
objects with :func:`~spec_tests.oracle.materialize.resolve` and compares what it finds with
the graph: the kind of each object, its attribute names or keys, the values of arrays
and static values, and identity: all paths to one instance must reach one object.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import jax
import numpy as np

from ..adapters import SPEC_ERRORS, Adapter, ErrorFields
from ..graphs.foreign import Box, Stack, record_class
from ..graphs.graph import Graph, Node, Path, Step, keystr
from .materialize import Live, array_value, materialize, module_class, resolve, static_value
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
        if not impl.immutable:  # a design the suite builds: of the very class it was built of
            cls = module_class(impl, node)
            assert type(x) is cls, f'{at}: expected a {cls.__name__}, found {type(x).__name__}'
        found = sorted(impl.attributes(x))
        assert found == sorted(node.keys), f'{at}: expected attributes {sorted(node.keys)}, found {found}'
    elif kind in ('list', 'tuple', 'stack', 'dict'):
        expected = {'list': impl.List, 'tuple': tuple, 'stack': Stack, 'dict': impl.Dict}[kind]
        assert type(x) is expected, f'{at}: expected a {expected.__name__}, found {type(x).__name__}'
        if kind == 'dict':
            assert sorted(x) == sorted(node.keys), f'{at}: expected keys {sorted(node.keys)}, found {sorted(x)}'
        else:
            assert len(x) == len(node.children), f'{at}: expected {len(node.children)} items, found {len(x)}'
    elif kind == 'record':
        assert type(x) is record_class(node.keys), (
            f'{at}: expected a named tuple of fields {node.keys}, found {type(x).__name__}'
        )
    elif kind == 'box':
        assert type(x) is Box, f'{at}: expected a Box, found {type(x).__name__}'
        assert tuple(vars(x)) == node.keys, f'{at}: expected attributes {node.keys}, found {tuple(vars(x))}'
    elif kind == 'param':
        assert isinstance(x, impl.Parameter), f'{at}: expected a Parameter, found {type(x).__name__}'
    elif kind == 'entry':
        assert isinstance(x, impl.StateEntry), f'{at}: expected a StateEntry, found {type(x).__name__}'
    elif kind == 'ref' and impl.Reference is not None:  # else the tie is its value, checked on the next step
        assert isinstance(x, impl.Reference), f'{at}: expected a Reference, found {type(x).__name__}'
        assert x.tag == node.tag, f'{at}: expected tag {node.tag!r}, found {x.tag!r}'
    elif kind == 'static':
        expected = static_value(impl, node.value, node.wrapped)
        assert type(x) is type(expected) and x == expected, f'{at}: expected {expected!r}, found {x!r}'


def same_structure(impl: Adapter, graph: Graph, other: Graph) -> bool:
    r"""Whether ``impl`` must give ``graph`` and ``other`` equal definitions
    (TREE-DEFINITION): a design without the feature ``tags`` ties by identity alone, and
    one that builds its modules itself (:attr:`~spec_tests.adapters.Adapter.immutable`)
    makes them of its own classes, whatever the graph says of the user's."""

    tags, classes = 'tags' in impl.features, not impl.immutable
    return walk(graph).signature(tags, classes) == walk(other).signature(tags, classes)


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


def assert_spec_error(impl: Adapter, name: str, error: BaseException) -> None:
    r"""Asserts that ``error``, caught as the SPEC error ``name``, is that error: an
    instance of the builtin class SPEC.md names, and of no class that the implementation
    has for another SPEC error (unless that class is a base of ``name``'s own)."""

    base, own = SPEC_ERRORS[name], impl.errors[name]
    assert issubclass(own, base), f'the adapter maps {name} to {own.__name__}, which is not a {base.__name__}'
    assert isinstance(error, base), f'expected {name} (a {base.__name__}), got {type(error).__name__}: {error}'
    for other, cls in impl.errors.items():
        if other != name and not issubclass(own, cls):
            assert not isinstance(error, cls), f'expected {name}, got a {other} ({type(error).__name__}): {error}'


def names_failure(impl: Adapter, graph: Graph, error: str) -> None:
    r"""Flattens ``graph``, which must raise the SPEC error ``error``, and asserts that
    the error names what SPEC.md requires: through its fields where the adapter gives
    them (:meth:`Adapter.error_fields`), else in its message."""

    model, live, caught = _raised(impl, graph, error)
    fields = impl.error_fields(caught)
    if fields is not None:
        fields_name_failure(impl, model, live, fields)
        message = error_text(caught)
        unnamed = [repr(tag) for tag in fields.tags if not (_names(repr(tag), message) or _names(str(tag), message))]
        unnamed += [text for text in (*fields.paths, *fields.kinds) if text and text not in message]
        assert not unnamed, f'the message does not name {", ".join(unnamed)} of its fields: {message}'
        return
    message = error_text(caught)
    if error == 'CycleError':
        names_cycle(impl, model, live, message)
        names_tags(impl, graph, error)
    else:
        names_tags(impl, graph, error)
        names_paths(impl, model, message)


def fields_name_failure(impl: Adapter, model: Model, live: Live, fields: ErrorFields) -> None:
    r"""Asserts that an error's fields are exactly those of SPEC.md's table ("Error
    fields"), in its order: the paths and tags of the model's failure, and the type
    names of the node that contains itself (CycleError), of both values
    (TagConflictError) or of the object held under two tags (AliasError)."""

    failure = model.failure
    assert failure is not None, 'the model has no failure'
    expected = tuple(keystr(path, impl.reference_key) for path in failure.paths)
    assert tuple(fields.paths) == expected, f"the error's paths are {list(fields.paths)}, expected {list(expected)}"
    tags = list(failure.tags)
    assert tuple(fields.tags) == failure.tags, f"the error's tags are {list(fields.tags)}, expected {tags}"
    if failure.error == 'CycleError':
        kinds = (type(live.objects[failure.node]).__name__,)
    elif failure.error == 'TagConflictError':
        kinds = tuple(type(resolve(impl, live.root, path + (Step('deref'),))).__name__ for path in failure.paths)
    else:
        kinds = (type(resolve(impl, live.root, failure.paths[0] + (Step('deref'),))).__name__,)
    assert tuple(fields.kinds) == kinds, f"the error's kinds are {list(fields.kinds)}, expected {list(kinds)}"


def _raised(impl: Adapter, graph, error: str) -> tuple:
    r"""Flattens ``graph``, which must raise the SPEC error ``error``; returns the
    model, the live graph and the error."""

    import pytest

    model = walk(graph)
    assert model.failure is not None and model.failure.error == error, 'the strategy made a wrong example'
    live = materialize(graph, impl)
    with pytest.raises(impl.errors[error]) as caught:
        jax.tree_util.tree_leaves(live.root)
    assert_spec_error(impl, error, caught.value)
    return model, live, caught.value


def names_paths(impl: Adapter, model: Model, message: str) -> None:
    r"""Asserts that ``message`` names every path of the model's failure (the root
    has no path to name)."""

    assert model.failure is not None, 'the model has no failure'
    # Longest first, each found taken out of the message: a cycle's first position is a
    # prefix of its second, and must be named on its own.
    texts = sorted((keystr(path, impl.reference_key) for path in model.failure.paths if path), key=len, reverse=True)
    rest = message
    for text in texts:
        assert text in rest, f'the message does not name the path {text}: {message}'
        rest = rest.replace(text, '\0', 1)


def names_spec(dtype: Any, shape: tuple, message: str) -> bool:
    r"""Whether ``message`` names a dtype and a shape, in one of the usual spellings: the
    dtype by its numpy name or short form (``float32``, ``f32``), the shape as a list,
    a tuple or with ``x`` between the sizes (``[2, 3]``, ``(2, 3)``, ``2x3``).

    Example:
        >>> names_spec(np.dtype('int8'), (2, 3), 'expected i8 of shape (2,3)')
        True
    """

    dtype = np.dtype(dtype)
    short = {'f': 'f', 'i': 'i', 'u': 'u', 'c': 'c'}.get(dtype.kind)
    dtypes = {dtype.name} | ({f'{short}{dtype.itemsize * 8}'} if short else set())
    sizes = [str(n) for n in shape]
    shapes = {f'[{", ".join(sizes)}]', f'[{",".join(sizes)}]', str(tuple(shape)), f'({",".join(sizes)})'}
    if len(sizes) > 1:
        shapes.add('x'.join(sizes))
    return any(_names(d, message) for d in dtypes) and any(_names(s, message) for s in shapes)


def _names(word: str, message: str) -> bool:
    return _mentions(word, message) > 0


def _mentions(word: str, message: str) -> int:
    # Not inside a longer name or number: 'int8' is in 'uint8', '2x3' in '12x3'.
    before = r'(?<![\w.])' if word[0].isalnum() else ''
    after = r'(?!\w)' if word[-1].isalnum() else ''
    return len(re.findall(before + re.escape(word) + after, message))


def names_tags(impl: Adapter, graph: Graph, error: str) -> None:
    r"""Asserts that the error flattening ``graph`` raises names the tags it must name.

    The graph is flattened again with every tag made distinctive (see
    :func:`_distinctive`): a one-letter or one-digit tag is found in almost any sentence,
    so only a tag that appears nowhere else shows that the message prints it.
    """

    def retag(node: Node) -> Node:
        return dataclasses.replace(node, tag=_distinctive(node.tag)) if node.kind == 'ref' else node

    model, _, caught = _raised(impl, Graph(tuple(map(retag, graph.nodes))), error)
    message = error_text(caught)
    assert model.failure is not None, 'the model has no failure'
    for tag in model.failure.tags:
        assert _names(repr(tag), message) or _names(str(tag), message), (
            f'the message does not name the tag {tag!r}: {message}'
        )


def _distinctive(tag: Any) -> Any:
    r"""A tag of the same type that reads like no word or number of a message, one to
    one (so that the graph raises the same error).

    Example:
        >>> _distinctive('a'), _distinctive(7), _distinctive(('p', 3))
        ('a_tag1x', 9049, ('p_tag1x', 9021))
    """

    if isinstance(tag, str):
        return f'{tag}_tag{len(tag)}x'
    if isinstance(tag, tuple):
        return tuple(map(_distinctive, tag))
    if isinstance(tag, int) and not isinstance(tag, bool):
        return 9000 + 7 * tag
    return tag


def names_cycle(impl: Adapter, model: Model, live: Live, message: str) -> None:
    r"""Asserts what a CycleError names (TREE-CYCLE-ERROR): the type of the node that
    contains itself and both positions (its tag, if it is a Reference: :func:`names_tags`)."""

    assert model.failure is not None, 'the model has no failure'
    node = type(live.objects[model.failure.node]).__name__
    # A sentence that every CycleError carries may mention the type ('... only through a
    # Reference'): the message must mention it more often than cycles of other types do.
    others = min(_mentions(node, _cycle_message(impl, loop)) for loop in ('list', 'dict') if loop != node)
    assert _mentions(node, message) > others, f'the message does not name the type {node}: {message}'
    names_paths(impl, model, message)


def _cycle_message(impl: Adapter, loop: str) -> str:
    r"""The message of the CycleError of a module whose attribute is a ``loop`` (a list
    or a dict) that contains itself."""

    import pytest

    holder, contents = impl.Module(), impl.List() if loop == 'list' else impl.Dict()
    if loop == 'list':
        contents.append(contents)
    else:
        contents['self'] = contents
    holder.a = contents
    with pytest.raises(impl.errors['CycleError']) as caught:
        jax.tree_util.tree_leaves(holder)
    return error_text(caught.value)
