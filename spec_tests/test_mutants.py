r"""The suite checks itself: every mutant of :mod:`spec_tests.mutants` must fail the
properties aimed at the rule it breaks."""

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from . import test_partition, test_share, test_state, test_transforms, test_tree
from .harness import in_thread
from .profiles import settings_for

#: Each mutant (an attribute of spec_tests.mutants, which imports the reference
#: implementation), and the properties that must reject it.
CASES = {
    'CANONICAL_LAST': [test_share.test_first_occurrence_is_canonical, test_partition.test_keys_are_canonical_paths],
    'COPIES_NOT_IDENTITY': [test_share.test_occurrences_are_one_object_after_unflatten],
    'FORGETS_CYCLES': [test_share.test_cycles_are_restored],
    'NO_CONFLICT_CHECK': [test_share.test_same_tag_different_objects],
    'NO_ALIAS_CHECK': [test_share.test_one_object_under_two_tags_or_scopes],
    'NO_PRUNING': [test_share.test_leaf_count],
    'SHARED_NAMESPACES': [test_share.test_inner_scopes_open_their_own_namespace],
    'TAGLESS_DEFINITION': [test_tree.test_definitions_are_equal_exactly_for_equal_structures,
                           test_transforms.test_one_jitted_function_for_many_trees],
    'IDENTITY_IN_DEFINITION': [test_transforms.test_apis_over_several_trees,
                               test_tree.test_definitions_are_equal_exactly_for_equal_structures],
    'SHALLOW_HASH_CHECK': [test_share.test_unhashable_tags_raise_type_error],
    'FORWARDED_ASSIGNMENT': [test_share.test_assigning_tag_or_value_rebinds_the_reference],
    'REFERENCE_KEYED_STATE': [test_state.test_update_returns_a_new_state],
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
