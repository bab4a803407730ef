r"""State utilities with shared entries: STATE-EXPORT and STATE-UPDATE."""

import numpy as np
import pytest
from hypothesis import strategies as st

from .graphs import shared_entry_graphs, sharing_graphs
from .graphs.classes import graph_class
from .graphs.examples import WITH_ENTRY
from .graphs.graph import keystr, subtree
from .oracle.compare import assert_array, bump, error_text, expected_array, where
from .oracle.materialize import array_value, materialize, resolve
from .oracle.model import walk
from .runner.harness import prop


def _has_entries(graph) -> bool:
    return bool(_entries(walk(graph, entries_are_leaves=True)))


@graph_class('an entry shared through a tie', 'An entry shared through References in a scope')
def _shared_entry(graph) -> bool:
    degrees = graph.in_degrees()
    return any(
        node.kind == 'ref'
        and degrees[r] > 1
        and any(graph[i].kind == 'entry' for i in subtree(graph, node.children[0]))
        for r, node in enumerate(graph.nodes)
    )


# Entries anywhere, and entries shared through a tie.
state_graphs = st.one_of(sharing_graphs(entries=True).filter(_has_entries), shared_entry_graphs())


def _entries(model):
    r"""``(instance id, canonical path)`` of each state entry, in flatten order."""

    return [(i, path) for i, path in model.leaves if model.instances[i].kind == 'entry']


@prop('STATE-EXPORT', state_graphs, ci=60, examples=[(WITH_ENTRY,)])
def test_shared_entries_are_exported_once(impl, graph):
    model = walk(graph, entries_are_leaves=True)
    live = materialize(graph, impl)
    tree, state = impl.export_state(live.root)
    keys = {instance: impl.StateKey(keystr(path, impl.reference_key)) for instance, path in _entries(model)}
    assert len(state) == len(keys) and set(state) == set(keys.values()), (
        f'expected state keys {sorted(map(repr, keys.values()))}, found {sorted(map(repr, state))}'
    )
    for instance, key in keys.items():
        entry = graph[model.instances[instance].node]
        assert_array(state[key], np.asarray(array_value(graph[entry.children[0]])), f'state[{key!r}]')
    for path in model.paths():
        instance = model.instance_at(path)
        if instance.kind == 'entry':
            found = resolve(impl, tree, path)
            assert found == keys[instance.id], f'{where(impl, path)} holds {found!r}, expected {keys[instance.id]!r}'
        elif instance.kind == 'array':
            assert_array(resolve(impl, tree, path), expected_array(model, instance.id), where(impl, path))


@prop('STATE-UPDATE', state_graphs, st.randoms(use_true_random=False), ci=60)
def test_update_returns_a_new_state(impl, graph, random):
    _, state = impl.export_state(materialize(graph, impl).root)
    before = dict(state)
    keys = sorted(state, key=repr)
    chosen = random.sample(keys, random.randint(1, len(keys)))
    mutation = {key: bump(state[key]) for key in chosen}
    # A Reference to a StateKey keys a mutation as the key does.
    keyed = {impl.reference('state', key) if random.random() < 0.5 else key: value for key, value in mutation.items()}
    new = impl.update_state(state, keyed)
    assert dict(state) == before and all(state[k] is before[k] for k in keys), 'update_state changed its input'
    assert len(new) == len(keys) and set(new) == set(keys), f'new state keys: expected {keys}, found {list(new)}'
    others = [key for key in new if type(key) is not impl.StateKey]
    assert not others, f'the new state is keyed by {others!r}, not by StateKeys'
    for key in keys:
        expected = mutation[key] if key in mutation else before[key]
        assert_array(new[key], np.asarray(expected), f'new state at {key!r}')


@prop('STATE-UPDATE', state_graphs, ci=30)
def test_unknown_keys_raise_key_error(impl, graph):
    _, state = impl.export_state(materialize(graph, impl).root)
    unknown = impl.StateKey('.not_an_entry')
    with pytest.raises(KeyError) as caught:
        impl.update_state(state, {unknown: 0})
    keys = impl.error_keys(caught.value)
    if keys is not None:
        assert unknown in keys, f'the error names the keys {list(keys)}, not the unknown key {unknown!r}'
    else:
        assert '.not_an_entry' in error_text(caught.value), f'the error does not name the unknown key: {caught.value}'


@prop('STATE-UPDATE', state_graphs, ci=30)
def test_references_to_keys_index_the_state(impl, graph):
    _, state = impl.export_state(materialize(graph, impl).root)
    for key in state:
        ref = impl.reference('state', key)
        assert_array(state[ref], np.asarray(state[key]), f'state[Reference to {key!r}]')
        assert ref in state, f'`in` does not take a Reference to {key!r}'
        assert_array(state.get(ref), np.asarray(state[key]), f'state.get(Reference to {key!r})')
    missing = impl.reference('state', impl.StateKey('.not_an_entry'))
    assert missing not in state and state.get(missing, 'default') == 'default', 'a Reference to an unknown key is found'


@prop('STATE-EXPORT', st.sampled_from(('float32', 'int32')), ci=2)
def test_root_entry_key_is_the_empty_path(impl, dtype):
    value = np.arange(2, dtype=dtype)
    tree, state = impl.export_state(impl.StateEntry(value))
    assert tree == impl.StateKey(''), f'the root entry became {tree!r}, expected the key of the empty path'
    assert list(state) == [impl.StateKey('')], f'the state has keys {list(state)}, expected the empty path\'s'
    assert_array(state[tree], value, 'the root entry')
