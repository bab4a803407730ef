r"""The suite checks itself: every mutant of :mod:`spec_tests.selftests.mutants` must fail the
properties aimed at the rule it breaks."""

import jax
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure, HypothesisException

from .. import test_partition, test_share, test_state, test_threads, test_transforms, test_tree
from ..graphs.graph import Graph, Node
from ..oracle.materialize import materialize
from ..runner.fresh import MemoryBoundError, run_bounded
from ..runner.harness import in_thread
from ..runner.profiles import settings_for

#: Each mutant (an attribute of spec_tests.selftests.mutants, which imports the reference
#: implementation), and the properties that must reject it.
CASES = {
    'CANONICAL_LAST': [test_share.test_first_occurrence_is_canonical, test_partition.test_keys_are_canonical_paths],
    'COPIES_NOT_IDENTITY': [test_share.test_occurrences_are_one_object_after_unflatten],
    'FORGETS_CYCLES': [test_share.test_cycles_are_restored],
    'NO_CONFLICT_CHECK': [test_share.test_same_tag_different_objects],
    'NO_ALIAS_CHECK': [test_share.test_one_object_under_two_tags_or_scopes],
    'NO_PRUNING': [test_share.test_leaf_count, test_tree.test_deep_trees],
    'SHARED_NAMESPACES': [test_share.test_inner_scopes_open_their_own_namespace],
    'TAGLESS_DEFINITION': [
        test_tree.test_definitions_are_equal_exactly_for_equal_structures,
        test_transforms.test_one_jitted_function_for_many_trees,
    ],
    'IDENTITY_IN_DEFINITION': [
        test_transforms.test_apis_over_several_trees,
        test_tree.test_definitions_are_equal_exactly_for_equal_structures,
    ],
    'SHALLOW_HASH_CHECK': [test_share.test_unhashable_tags_raise_type_error],
    'FORWARDED_ASSIGNMENT': [test_share.test_assigning_tag_or_value_rebinds_the_reference],
    'REFERENCE_KEYED_STATE': [test_state.test_update_returns_a_new_state],
    'SHARED_WALK_STATE': [test_threads.test_concurrent_flatten_and_unflatten],
    'PRUNED_PLACEHOLDER_LEAF': [test_share.test_leaf_count, test_share.test_first_occurrence_is_canonical],
    'CONVERTED_LEAVES': [test_tree.test_flatten_unflatten_round_trip],
    'KEYLESS_DEFINITION': [test_tree.test_definitions_are_equal_exactly_for_equal_structures],
    # Not test_definitions_are_equal_exactly_for_equal_structures: its pairs differ only
    # by leaf values in a fraction of examples, and whether 100 of them hold one with a
    # Parameter depends on the draw; the property below draws such trees every time.
    'VALUES_IN_DEFINITION': [test_tree.test_definitions_do_not_depend_on_leaf_values],
    'EAGER_CYCLE_CHECK': [test_share.test_cycle_outside_scopes_raises_cycle_error],
    'NARROW_ALIAS_CHECK': [test_share.test_one_object_under_two_tags_or_scopes],
    'COLLAPSED_REFERENCE_CHAINS': [test_tree.test_flatten_unflatten_round_trip],
}

EXAMPLES = 100


def _rejection(prop, adapter):
    r"""The error by which ``prop`` rejects ``adapter``, or :py:`None` if it accepts it
    after :data:`EXAMPLES` examples (generated only: a rejection needs no shrinking)."""

    spec_property = prop.spec_property
    budget = settings(settings_for(EXAMPLES), phases=[Phase.explicit, Phase.generate])

    @budget
    @given(st.tuples(*spec_property.strategies))
    def run(drawn):
        in_thread(spec_property.test, adapter, *drawn)

    try:
        run()
    except FlakyFailure as error:  # failed, then passed when replayed: a race, still a rejection
        return error
    except HypothesisException:
        raise
    except (Exception, pytest.fail.Exception) as error:  # pytest.raises fails with the latter
        return error
    return None


@pytest.mark.parametrize('name', sorted(CASES))
def test_suite_rejects_mutant(impl, name):
    if impl.name != 'reference':
        pytest.skip('the mutants are variants of the reference implementation')
    from . import mutants

    adapter = getattr(mutants, name)
    for prop in CASES[name]:
        error = _rejection(prop, adapter)
        assert error is not None, f'{prop.__name__} ({prop.spec_property.spec}) accepts {adapter.name}'


#: The properties whose graphs hold wrapped static values, some under several tags.
STATIC_VALUES = [
    test_tree.test_leaves_in_flatten_order_with_full_paths,
    test_tree.test_static_values_are_not_leaves,
    test_share.test_leaf_count,
    test_share.test_occurrences_are_one_object_after_unflatten,
    test_share.test_values_may_have_several_tags,
    test_share.test_repr_shows_static_values_as_their_own_repr,
]


@pytest.mark.parametrize('prop', STATIC_VALUES, ids=lambda prop: prop.__name__)
def test_suite_needs_no_static_wrapper(impl, prop):
    if impl.name != 'reference':
        pytest.skip('the variant is the reference without its wrapper')
    from . import mutants

    if not hasattr(prop, 'spec_property'):  # a case of fixed examples: it raises if it rejects
        prop(mutants.WITHOUT_STATIC_WRAPPER)
        return
    error = _rejection(prop, mutants.WITHOUT_STATIC_WRAPPER)
    assert error is None, f'{prop.__name__} rejects a design without a static wrapper: {error}'


def _tied_at_every_level(depth):
    r"""A Scope over ``depth`` levels, each a Reference held twice by the level above:
    one leaf when pruned, ``2 ** depth`` when not."""

    nodes = [Node('scope', keys=('a', 'b'), children=(1, 1))]
    for tag in range(depth):
        nodes.append(Node('ref', tag=tag, children=(len(nodes) + 1,)))
        nodes.append(Node('module', keys=('a', 'b'), children=(len(nodes) + 1,) * 2))
    nodes[-1] = Node('param', children=(len(nodes),))
    nodes.append(Node('array', shape=(2,), seed=1))
    return Graph(tuple(nodes))


def _leaf_count(impl, graph):
    return len(jax.tree_util.tree_leaves(materialize(graph, impl).root))


def test_memory_bound_stops_a_growing_flatten(impl):
    if impl.name != 'reference':
        pytest.skip('the mutants are variants of the reference implementation')
    from . import mutants

    graph, bound = _tied_at_every_level(64), 512 * 2**20  # a low bound: past it within seconds
    assert run_bounded(_leaf_count, impl, graph, bound=bound) == 1
    with pytest.raises(MemoryBoundError, match=r'_leaf_count went past the memory bound of 512 MiB .*MemoryError at '):
        run_bounded(_leaf_count, mutants.NO_PRUNING, graph, bound=bound)
    assert run_bounded(_leaf_count, impl, graph, bound=bound) == 1, 'no new worker after one went past its bound'
