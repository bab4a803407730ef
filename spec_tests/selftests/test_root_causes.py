r"""Self-tests of SPEC.md's foundations (no SPEC id): the section names existing rules,
the matrix marks a failure that likely follows from a failing foundation (and no other),
every report shows that mark, and a broken definition shows up as a failing foundation
with the rules above it marked."""

import xml.etree.ElementTree as ElementTree

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from .. import test_foundations, test_transforms
from ..job import junit, matrix, page
from ..runner.harness import SPEC_FEATURES, SPEC_FOUNDATIONS, in_thread
from ..runner.profiles import settings_for

FOUNDATION, DEPENDENT, UNRELATED = 'TREE-DEFINITION', 'SHARE-JIT', 'TREE-ORDER'


def test_foundations_name_existing_core_rules():
    assert set(SPEC_FOUNDATIONS) == {'TREE-DEFINITION', 'TREE-ROUNDTRIP'}, f'foundations: {SPEC_FOUNDATIONS}'
    for foundation, rules in SPEC_FOUNDATIONS.items():
        assert foundation in SPEC_FEATURES and SPEC_FEATURES[foundation] is None, f'{foundation}: not a core rule'
        unknown = [rule for rule in rules if rule not in SPEC_FEATURES]
        assert not unknown, f'{foundation}: rules that build on it but are not ids of SPEC.md: {unknown}'
        assert foundation not in rules and len(set(rules)) == len(rules), f'{foundation}: {rules}'


def _result(spec: str, outcome: str) -> dict:
    failures = [{'message': f'AssertionError: {spec} broke', 'counterexample': {}}] if outcome == 'failed' else []
    return {'test': f't.py::test_{spec}', 'spec': [spec], 'outcome': outcome, 'failures': failures}


def _report(name: str, outcomes: dict[str, str]) -> dict:
    return {
        'name': name,
        'spec_ids': list(SPEC_FEATURES),
        'spec_features': SPEC_FEATURES,
        'results': [_result(spec, outcomes.get(spec, 'passed')) for spec in SPEC_FEATURES],
    }


def test_a_failure_above_a_failing_foundation_is_marked_in_every_report():
    broken = _report('broken', {FOUNDATION: 'failed', DEPENDENT: 'failed', UNRELATED: 'failed'})
    built = matrix.build([broken])
    rows = built['rows']

    assert rows[DEPENDENT]['broken']['likely_from'] == [FOUNDATION]
    assert rows[DEPENDENT]['broken']['verdict'] == 'FAIL'  # an explanation, not a verdict
    assert 'likely_from' not in rows[UNRELATED]['broken'] and 'likely_from' not in rows[FOUNDATION]['broken']
    problems = built['columns'][0]['problems']
    assert problems[0] == f'{FOUNDATION} (core) fails', 'the failing foundation is not the first problem'
    assert f'{DEPENDENT} (core) fails, likely from {FOUNDATION}: see there' in problems

    text = matrix.render(built)
    assert f'FAIL, likely from {FOUNDATION}: see there' in text
    # The failures after the tables: the foundation's first, though its row comes later.
    assert text.index(f'=== {FOUNDATION} on broken') < text.index(f'=== {UNRELATED} on broken')

    html = page.render(built)
    assert f'likely from <a href="#rule-{FOUNDATION}">{FOUNDATION}</a>: see there' in html
    assert f'<tr id="rule-{FOUNDATION}">' in html
    assert html.index(f'id="{FOUNDATION}-broken"') < html.index(f'id="{UNRELATED}-broken"')

    suite = ElementTree.fromstring(junit.render(built).encode())[0]
    failure = next(case for case in suite if case.get('name') == DEPENDENT).find('failure')
    assert failure is not None and f'(likely from {FOUNDATION}: see there)' in failure.get('message', '')


def test_no_mark_where_the_foundation_passes():
    built = matrix.build([_report('dependent-only', {DEPENDENT: 'failed'})])

    assert built['rows'][DEPENDENT]['dependent-only']['status'] == 'FAIL'
    assert not any('likely_from' in row['dependent-only'] for row in built['rows'].values())
    assert 'likely from' not in matrix.render(built) and 'likely from <a' not in page.render(built)


def _outcome(prop, adapter, examples: int) -> dict:
    r"""The result of ``prop`` on ``adapter`` after ``examples`` generated examples, as the
    plugin reports it (without counterexample: what the matrix does with it is checked)."""

    @settings(settings_for(examples), phases=[Phase.explicit, Phase.generate])
    @given(st.tuples(*prop.spec_property.strategies))
    def run(drawn):
        in_thread(prop.spec_property.test, adapter, *drawn)

    try:
        run()
    except (Exception, pytest.fail.Exception) as error:  # pytest.raises fails with the latter
        failures = [{'message': f'{type(error).__name__}: {error}'[:200], 'counterexample': {}}]
        return {'test': prop.__name__, 'spec': [prop.spec_property.spec], 'outcome': 'failed', 'failures': failures}
    return {'test': prop.__name__, 'spec': [prop.spec_property.spec], 'outcome': 'passed'}


def test_a_definition_that_changes_between_builds_fails_its_foundation_first(impl):
    if impl.name != 'reference':
        pytest.skip('the mutants are variants of the reference implementation')
    from . import mutants

    checks = (
        test_foundations.test_one_graph_built_twice_gives_equal_definitions,
        test_transforms.test_apis_over_several_trees,
    )
    reports = [
        {'name': adapter.name, 'results': [_outcome(check, adapter, 30) for check in checks]}
        for adapter in (impl, mutants.IDENTITY_IN_DEFINITION)
    ]
    rows = matrix.build(reports)['rows']

    assert rows['TREE-DEFINITION']['reference']['status'] == 'pass', rows['TREE-DEFINITION']['reference']
    assert 'likely_from' not in rows['SHARE-TREE-MAP']['reference']
    mutant = mutants.IDENTITY_IN_DEFINITION.name
    assert rows['TREE-DEFINITION'][mutant]['status'] == 'FAIL', 'the foundation accepts a definition with identities'
    assert rows['SHARE-TREE-MAP'][mutant].get('likely_from') == ['TREE-DEFINITION'], rows['SHARE-TREE-MAP'][mutant]


def test_unflatten_that_converts_leaves_fails_its_foundation(impl):
    if impl.name != 'reference':
        pytest.skip('the mutants are variants of the reference implementation')
    from . import mutants

    check = test_foundations.test_unflatten_gives_back_the_very_leaves
    assert _outcome(check, impl, 30)['outcome'] == 'passed'
    assert _outcome(check, mutants.CONVERTED_LEAVES, 60)['outcome'] == 'failed', 'the foundation accepts copied leaves'
