r"""Properties of Scope and Reference: the SHARE-* rules other than the JAX
transformations (see test_transforms.py)."""

import copy
import pickle
import re
import subprocess
import tempfile

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import strategies as st

from .graphs import (
    aliased_graphs,
    conflicting_graphs,
    cyclic_graphs,
    graphs,
    names,
    namespaces,
    self_scoped_graphs,
    sharing_graphs,
    statics,
    tags,
    unscoped_cycle_graphs,
)
from .graphs.classes import input_class
from .graphs.examples import ACYCLIC, EVERY_KIND, TWINS, UNSCOPED_SELF, USER_TREE
from .graphs.graph import Graph, Node, keystr
from .oracle.compare import (
    array_leaves,
    check_tree,
    error_text,
    is_array,
    names_failure,
    where,
)
from .oracle.materialize import materialize, resolve
from .oracle.model import walk
from .runner.fresh import child_env, python
from .runner.harness import case, prop

any_graphs = sharing_graphs()


class Unhashable:
    r"""A tag whose ``__hash__`` raises, as a class with a broken hash does."""

    def __hash__(self):
        raise TypeError('this object is not hashable')


class HashError(Exception):
    r"""Not a TypeError: a ``__hash__`` may raise anything."""


class BrokenHash:
    r"""A tag whose ``__hash__`` raises another error than TypeError."""

    def __hash__(self):
        raise HashError('no hash today')


_unhashable_atoms = st.one_of(
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.text('ab', max_size=1), st.integers(0, 3), max_size=1),
    st.sets(st.integers(0, 3), max_size=2),
    st.just(bytearray(b'x')),
    st.builds(Unhashable),
    st.builds(BrokenHash),
)

#: Tags that ``hash`` rejects: unhashable objects, also deep inside tuples.
unhashable_tags = st.recursive(
    _unhashable_atoms,
    lambda inner: st.tuples(st.integers(0, 3), inner) | st.tuples(inner, st.text('ab', max_size=1)),
    max_leaves=3,
)


def _holds(tag, kinds) -> bool:
    return isinstance(tag, kinds) or (type(tag) is tuple and any(_holds(t, kinds) for t in tag))


@input_class('an unhashable type', 'an unhashable type')
def _unhashable_type(tag) -> bool:
    return type(tag) in (list, dict, set, bytearray)


@input_class('an unhashable object deep in a tuple', 'a tuple holding one at any depth')
def _deep_in_tuple(tag) -> bool:
    return type(tag) is tuple and any(type(t) is tuple and _holds(t, (list, dict, set, bytearray)) for t in tag)


@input_class('a __hash__ that raises another error', 'an object whose `__hash__` raises any exception')
def _broken_hash(tag) -> bool:
    return _holds(tag, BrokenHash)


#: One input class per type of hashable tag drawn: each must stay out of the leaves.
TAG_TYPES = {
    'a str tag': str,
    'an int tag': int,
    'a tuple tag': tuple,
    'a frozenset tag': frozenset,
    'a numpy scalar tag': np.int32,
    'the tag None': type(None),
}
for _name, _type in TAG_TYPES.items():
    input_class(_name, 'Tags live in the tree definition, never among the leaves')(
        lambda tag, _type=_type: type(tag) is _type
    )

hashable_tags = st.one_of(
    st.text(max_size=4),
    st.integers(-(2**40), 2**40),
    st.tuples(st.integers(0, 3), st.text('ab', max_size=2)),
    st.frozensets(st.integers(0, 3), max_size=3),
    st.integers(0, 5).map(np.int32),  # an array scalar: it must stay a tag, not become a leaf
    st.just(None),
)


@prop('SHARE-TAG-HASHABLE', unhashable_tags, ci=30, examples=[([0],), ((1, (2, {})),), (BrokenHash(),)])
def test_unhashable_tags_raise_type_error(impl, tag):
    with pytest.raises(TypeError) as caught:
        impl.reference(tag, impl.Module())
    assert type(tag).__name__ in error_text(caught.value), f'the message does not name the type: {caught.value}'
    ref = impl.reference('t', impl.Module())
    with pytest.raises(TypeError) as caught:  # a new tag is checked as at construction (SHARE-FORWARD)
        ref.tag = tag
    assert type(tag).__name__ in error_text(caught.value), f'assigning: no type named: {caught.value}'
    assert ref.tag == 't', f'an unhashable tag replaced the tag: {ref.tag!r}'


@prop(
    'SHARE-TAG-HASHABLE',
    hashable_tags,
    ci=30,
    examples=[(tag,) for tag in ('t', 7, (1, 'a'), frozenset({2}), np.int32(3), None)],
)
def test_hashable_tags_stay_out_of_the_leaves(impl, tag):
    graph = Graph(
        (
            Node('scope', keys=('a', 'b'), children=(1, 1)),
            Node('ref', tag=tag, children=(2,)),
            Node('param', children=(3,)),
            Node('array', shape=(2,), seed=1),
        )
    )
    live = materialize(graph, impl)
    leaves = jax.tree_util.tree_leaves(live.root)
    assert len(leaves) == 1, f'expected the one array among the leaves, found {leaves!r}'
    check_tree(impl, walk(graph), jax.tree_util.tree_map(lambda x: x, live.root), references='value')


@st.composite
def shadowed_graphs(draw):
    r"""A graph whose root Scope holds ``Reference(t, P)`` twice and an inner Scope that
    holds ``Reference(t, Q)`` twice: one tag, two namespaces, two values."""

    graph = draw(graphs(root='scope'))
    space = namespaces(graph)
    used = {graph[i].tag for i, s in space.items() if graph[i].kind == 'ref' and s == 0}
    elsewhere = sorted({n.tag for n in graph.nodes if n.kind == 'ref'} - used, key=repr)
    tag = draw(st.sampled_from(elsewhere) if elsewhere else tags.filter(lambda t: t not in used))
    start = len(graph.nodes)
    added = (
        Node('ref', tag=tag, children=(start + 2,)),
        Node('scope', keys=('p', 'q'), children=(start + 3, start + 3)),
        Node('param', children=(start + 5,)),
        Node('ref', tag=tag, children=(start + 4,)),
        Node('param', children=(start + 6,)),
        Node('array', shape=(2,), seed=91),
        Node('array', shape=(3,), seed=92),
    )
    keys = list(graph[0].keys)
    for _ in range(3):
        keys.append(draw(names.filter(lambda n: n not in keys)))
    root = Node('scope', keys=tuple(keys), children=graph[0].children + (start, start + 1, start))
    return Graph((root,) + graph.nodes[1:] + added)


@prop('SHARE-SCOPE-NAMESPACE', shadowed_graphs(), ci=50)
def test_inner_scopes_open_their_own_namespace(impl, graph):
    model = walk(graph)
    assert model.failure is None
    live = materialize(graph, impl)
    leaves, treedef = jax.tree_util.tree_flatten(live.root)
    assert len(array_leaves(live.root)) == len(model.leaves)
    rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
    check_tree(impl, model, rebuilt, references='value')
    outer, inner = (next(i for i in model.instances if i.node == len(graph.nodes) - k) for k in (7, 4))
    a, b = resolve(impl, rebuilt, outer.path), resolve(impl, rebuilt, inner.path)
    assert a is not b and impl.deref(a) is not impl.deref(b), 'one tag in two scopes tied two unrelated values'


@prop('SHARE-PRUNE-FIRST', any_graphs, ci=80, examples=[(TWINS,), (EVERY_KIND,), (ACYCLIC,)])
def test_first_occurrence_is_canonical(impl, graph):
    model = walk(graph)
    live = materialize(graph, impl)
    # Every leaf JAX returns, arrays or not: a placeholder for a pruned occurrence is a leaf.
    found = [jax.tree_util.keystr(path) for path, _ in jax.tree_util.tree_flatten_with_path(live.root)[0]]
    for group in model.groups.values():
        canonical = keystr(group[0], impl.reference_key)
        for pruned in group[1:]:
            text = keystr(pruned, impl.reference_key)
            below = [key for key in found if key.startswith(text) and key[len(text) : len(text) + 1] in ('.', '[')]
            assert not below, f'pruned occurrence {text} (canonical: {canonical}) has leaves {below}'
    expected = [keystr(path, impl.reference_key) for _, path in model.leaves]
    assert found == expected, f'expected leaf paths {expected}, found {found}'


def _check_leaf_count(impl, graph):
    model = walk(graph)
    # Every leaf JAX returns, arrays or not: static values are not leaves (TREE-STATIC), so a
    # placeholder for a pruned occurrence (None, a marker) is one leaf too many.
    count = len(jax.tree_util.tree_leaves(materialize(graph, impl).root))
    assert count == len(model.leaves), f'expected {len(model.leaves)} leaves, found {count}'


@prop('SHARE-LEAF-COUNT', any_graphs, ci=80, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_leaf_count(impl, graph):
    _check_leaf_count(impl, graph)


@prop('SHARE-LEAF-COUNT', graphs(max_nodes=300, max_depth=8, max_children=6, max_extras=40), ci=10, cost=10)
def test_leaf_count_of_large_graphs(impl, graph):
    _check_leaf_count(impl, graph)


@prop('SHARE-ROUNDTRIP-IDENTITY', graphs(cycles=False), ci=80, examples=[(ACYCLIC,), (TWINS,)])
def test_occurrences_are_one_object_after_unflatten(impl, graph):
    model = walk(graph)
    live = materialize(graph, impl)
    leaves, treedef = jax.tree_util.tree_flatten(live.root)
    check_tree(impl, model, jax.tree_util.tree_unflatten(treedef, leaves))
    check_tree(impl, model, jax.tree_util.tree_map(lambda x: x, live.root))
    check_tree(impl, model, impl.jit(lambda tree: tree)(live.root))
    static, *partitions = impl.partition(live.root)
    check_tree(impl, model, impl.combine(static, *partitions))


@prop('SHARE-CYCLES', graphs(force_cycle=True), ci=80, examples=[(EVERY_KIND,)])
def test_cycles_are_restored(impl, graph):
    model = walk(graph)
    live = materialize(graph, impl)
    leaves, treedef = jax.tree_util.tree_flatten(live.root)
    assert len(array_leaves(live.root)) == len(model.leaves)
    # Every cycle closes on the same objects; one Reference object per tag is
    # SHARE-ROUNDTRIP-IDENTITY's business.
    check_tree(impl, model, jax.tree_util.tree_unflatten(treedef, leaves), references='value')


@prop('SHARE-TAG-CONFLICT', conflicting_graphs(), ci=60)
def test_same_tag_different_objects(impl, graph):
    names_failure(impl, graph, 'TagConflictError')


_OPTIMIZED = r'''
import sys
from spec_tests.adapters import load
import jax
impl = load(sys.argv[1])
scope = impl.Scope()
scope.a = impl.reference('t', impl.Parameter(jax.numpy.ones(2)))
scope.b = impl.reference('t', impl.Parameter(jax.numpy.zeros(2)))
try:
    jax.tree_util.tree_leaves(scope)
except impl.errors['TagConflictError']:
    print('raised')
'''


@case('SHARE-TAG-CONFLICT')
def test_conflict_is_raised_under_python_optimizations(impl, pytestconfig):
    run = subprocess.run(  # another folder: the working directory may hold another inox
        python('-O', '-c', _OPTIMIZED, pytestconfig.getoption('impl')),
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=300,
        cwd=tempfile.gettempdir(),
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == 'raised', 'under python -O, conflicting tags raise nothing'


@prop('SHARE-ALIAS', aliased_graphs(), ci=60)
def test_one_object_under_two_tags_or_scopes(impl, graph):
    names_failure(impl, graph, 'AliasError')


#: Values, not identities: an array, a static value, and one made explicitly static where
#: the implementation can (a tuple, which is a node otherwise).
_VALUES = (Node('array', shape=(2,), seed=3), Node('static', value='v'), Node('static', value=('v', 1), wrapped=True))


@case('SHARE-ALIAS')
def test_values_may_have_several_tags(impl):
    for value in _VALUES:
        for second in (
            (Node('ref', tag='b', children=(2,)),),  # Scope(a=Reference('a', v), b=Reference('b', v))
            (Node('scope', keys=('r',), children=(1,)),),  # Scope(a=r, b=Scope(r=r)), r = Reference('a', v)
            # Scope(a=r, b=[r, Scope(p=r, q=r), r]): each scope prunes r within itself only
            (Node('list', children=(1, 4, 1)), Node('scope', keys=('p', 'q'), children=(1, 1))),
        ):
            root = Node('scope', keys=('a', 'b'), children=(1, 3))
            graph = Graph((root, Node('ref', tag='a', children=(2,)), value, *second))
            model = walk(graph)
            leaves, treedef = jax.tree_util.tree_flatten(materialize(graph, impl).root)
            assert len([x for x in leaves if is_array(x)]) == len(model.leaves), f'flatten of\n{graph!r}'
            check_tree(impl, model, jax.tree_util.tree_unflatten(treedef, leaves))


@prop('SHARE-SELF-SCOPE', self_scoped_graphs(), ci=60)
def test_scope_containing_itself(impl, graph):
    names_failure(impl, graph, 'CycleError')


@prop('SHARE-UNSCOPED', graphs(root='module', scopes=False), ci=60)
def test_references_outside_scopes_are_plain_wrappers(impl, graph):
    model = walk(graph)
    live = materialize(graph, impl)
    leaves, treedef = jax.tree_util.tree_flatten(live.root)
    assert len(array_leaves(live.root)) == len(model.leaves)
    rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
    check_tree(impl, model, rebuilt, references='value')
    first = {}
    for instance in model.instances:  # every occurrence of one Reference is a copy
        if instance.kind != 'ref':
            continue
        x = resolve(impl, rebuilt, instance.path)
        if instance.node in first:
            other, path = first[instance.node]
            assert x is not other, f'{where(impl, instance.path)} and {where(impl, path)} must be two References'
        else:
            first[instance.node] = (x, instance.path)


@prop('SHARE-UNSCOPED', unscoped_cycle_graphs(), ci=40)
def test_cycle_outside_scopes_raises_cycle_error(impl, graph):
    names_failure(impl, graph, 'CycleError')


@prop('SHARE-FORWARD', names, statics, ci=40)
def test_reference_forwards_to_its_value(impl, name, value):
    if name in ('tag', impl.reference_key):  # a Reference's own attributes are not forwarded
        name += '_'
    module = impl.Module()
    ref = impl.reference('t', module)
    setattr(ref, name, value)
    assert impl.attributes(module).get(name, ...) == value, 'an attribute write did not reach the value'
    assert getattr(ref, name) == value, 'an attribute read did not reach the value'
    delattr(ref, name)
    assert name not in impl.attributes(module), 'an attribute deletion did not reach the value'
    assert impl.reference('f', _echo)(name, key=value) == ((name,), {'key': value}), 'a call did not reach the value'


def _echo(*args, **kwargs):
    return args, kwargs


#: Values of every kind a Reference may hold: a copy must not mistake one for the other.
_held = st.one_of(
    st.integers(0, 3).map(lambda n: ('array', n)),
    st.integers(0, 3).map(lambda n: ('param', n)),
    st.just(('module', 0)),
    statics.map(lambda v: ('static', v)),
)


def _value(impl, held):
    kind, n = held
    if kind == 'array':
        return jnp.arange(n, dtype=jnp.float32)
    if kind == 'param':
        return impl.Parameter(np.arange(n, dtype=np.float32))
    return impl.Module() if kind == 'module' else n


@prop('SHARE-FORWARD', tags, _held, ci=20)
def test_protocols_are_not_forwarded(impl, tag, held):
    ref = impl.reference(tag, _value(impl, held))
    for how, copied in (('deepcopy', copy.deepcopy(ref)), ('pickle', pickle.loads(pickle.dumps(ref)))):
        assert isinstance(copied, impl.Reference), f'{how} of a Reference gave a {type(copied).__name__}'
        assert copied.tag == tag and type(impl.deref(copied)) is type(impl.deref(ref)), f'{how} changed the Reference'


@prop('SHARE-FORWARD', tags, tags, st.booleans(), ci=20)
def test_assigning_tag_or_value_rebinds_the_reference(impl, tag, new_tag, in_scope):
    array = np.arange(2, dtype=np.float32)
    old, new = impl.Module(), impl.Parameter(array)
    ref = impl.reference(tag, old)
    setattr(ref, impl.reference_key, new)
    assert impl.deref(ref) is new, 'assigning the value did not rebind the Reference'
    assert impl.reference_key not in impl.attributes(old), 'assigning the value wrote into the old value'
    ref.tag = new_tag
    assert ref.tag == new_tag and 'tag' not in impl.attributes(new), 'assigning the tag did not rebind the Reference'
    with pytest.raises(TypeError):
        ref.tag = [tag]
    assert ref.tag == new_tag, 'an unhashable tag replaced the tag'
    for name in (impl.reference_key, 'tag'):
        holder = impl.Module()
        setattr(holder, name, 1)  # the value has an attribute of that name: it must stay
        with pytest.raises(AttributeError):
            delattr(impl.reference(tag, holder), name)
        assert impl.attributes(holder).get(name) == 1, f'deleting a Reference\'s {name} deleted its value\'s'
    # The rebound Reference is what a tree holds: flatten sees the new value.
    tree = impl.Scope() if in_scope else impl.Module()
    tree.a = tree.b = ref
    leaves = array_leaves(tree)
    assert len(leaves) == (1 if in_scope else 2) and np.array_equal(leaves[0], array), 'flatten missed the new value'


@prop('SHARE-REPR', sharing_graphs(), ci=80, examples=[(TWINS,), (EVERY_KIND,), (ACYCLIC,), (USER_TREE,)])
def test_repr_marks_repeats(impl, graph):
    model = walk(graph, repr_scope=True)
    text = repr(materialize(graph, impl).root)
    # Exactly one * per tag and scope, and one @tag per pruned occurrence: no value is
    # shown twice (neither * nor @ is in the repr of any value the graphs hold).
    assert text.count('*') == len(model.groups), f'{len(model.groups)} tags are not shown once with *:\n{text}'
    pruned: dict = {}
    for (_, tag), occurrences in model.groups.items():
        pruned[tag] = pruned.get(tag, 0) + len(occurrences) - 1
    for tag, count in pruned.items():
        spellings = {str(tag), repr(tag)}  # SPEC: '@' followed by the tag
        shown = max(len(re.findall(re.escape(f'@{spelling}') + r'(?!\w)', text)) for spelling in spellings)
        assert shown == count, f'tag {tag!r}: {count} later occurrences, {shown} shown as @{tag}:\n{text}'
    for instance, _ in model.leaves:
        node = graph[model.instances[instance].node]
        shown = f'{node.dtype}{list(node.shape)}'
        assert shown in text, f'an array is not shown as {shown}:\n{text}'
    for instance in model.instances:
        if instance.kind == 'static':
            shown = repr(graph[instance.node].value)
            assert shown in text, f'a static value is not shown as {shown}:\n{text}'


@prop('SHARE-REPR', statics, ci=40)
def test_repr_shows_static_values_as_their_own_repr(impl, value):
    held = Graph(
        (
            Node('module', keys=('held', 'wrapped'), children=(1, 2)),
            Node('static', value=value),
            Node('static', value=value, wrapped=True),
        )
    )
    text = repr(materialize(held, impl).root)
    assert text.count(repr(value)) >= 2, f'a static value is not shown as {value!r} (twice):\n{text}'


@prop('SHARE-REPR', sharing_graphs(), ci=30)
def test_repr_of_a_reference_is_its_value_marked(impl, graph):
    root = materialize(graph, impl).root
    ref = impl.reference(_OUTER, root)
    assert repr(ref) == '*' + repr(root), f'repr of a Reference:\n{ref!r}\nrepr of its value:\n{root!r}'


class _Outer:
    r"""A tag no graph uses."""

    def __repr__(self):
        return 'outer'


_OUTER = _Outer()


@prop(
    'SHARE-REPR',
    st.one_of(cyclic_graphs(), unscoped_cycle_graphs(), conflicting_graphs(), aliased_graphs()),
    ci=40,
    examples=[(UNSCOPED_SELF,)],
)
def test_repr_terminates_on_every_tree(impl, graph):
    assert isinstance(repr(materialize(graph, impl).root), str)
