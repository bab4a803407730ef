r"""Self-tests of the conformance job (no SPEC id): the levels and the gate, the expected
results, the reports (text, HTML, JUnit) and their size."""

import json
import os
import re
import sys
import xml.etree.ElementTree as ElementTree

import pytest

from ..graphs.graph import Graph, Node
from ..job import expected, frameworks, junit, main, matrix, page
from ..runner.counterexamples import jsonable


def _report(name, outcome, failures=(), features=(), deep='passed'):
    return {
        'name': name,
        'version': '1',
        'profile': 'ci',
        'seconds': 1.0,
        'features': list(features),
        'spec_ids': ['SHARE-CYCLES', 'SHARE-REPR', 'TREE-DEEP'],
        'spec_features': {'SHARE-CYCLES': None, 'SHARE-REPR': 'repr', 'TREE-DEEP': 'deep'},
        'results': [
            {'test': 't.py::test_cycles', 'spec': ['SHARE-CYCLES'], 'outcome': outcome, 'failures': list(failures)},
            {'test': 't.py::test_repr', 'spec': ['SHARE-REPR'], 'outcome': 'n.a.', 'message': 'n.a.: no repr'},
            {
                'test': 't.py::test_deep',
                'spec': ['TREE-DEEP'],
                'outcome': deep,
                'failures': [{'message': 'RecursionError', 'counterexample': {}}] if deep == 'failed' else [],
            },
        ],
    }


_GRAPH = Graph(
    (
        Node('scope', keys=('a',), children=(1,)),
        Node('ref', tag='t', children=(2,)),
        Node('module', keys=('back',), children=(1,)),
    )
)
_FAILURE = {'message': 'AssertionError: the cycle is lost', 'counterexample': {'graph': {'graph': _GRAPH.to_json()}}}


def test_matrix_text_and_page_show_the_counterexample():
    built = matrix.build([_report('good', 'passed'), _report('bad', 'failed', [_FAILURE])])

    assert built['rows']['SHARE-CYCLES']['good']['verdict'] == 'pass'
    assert built['rows']['SHARE-CYCLES']['bad']['verdict'] == 'FAIL'
    assert built['rows']['SHARE-REPR']['bad']['verdict'] == 'n.a.'
    text = matrix.render(built)
    assert 'the cycle is lost' in text and "r1 = Reference('t', n2)" in text

    html = page.render(built)
    assert html.count('<svg') == 1 and 'stroke="#c0392b"' in html  # the cycle, in red
    assert 'href="#SHARE-CYCLES-bad"' in html and 'id="SHARE-CYCLES-bad"' in html


def test_not_applicable_rules_show_their_reason_in_every_report():
    built = matrix.build([_report('bad', 'passed')])

    assert built['rows']['SHARE-REPR']['bad'] | {'tests': []} == {
        'status': 'n.a.',
        'reason': 'no repr',
        'verdict': 'n.a.',
        'tests': [],
    }
    assert 'bad: SHARE-REPR is not applicable: no repr' in matrix.render(built).splitlines()
    assert 'n.a.<br><small>no repr</small>' in page.render(built)
    assert 'message="not applicable: no repr"' in junit.render(built)


def test_an_adapter_declares_a_rule_not_applicable(tmp_path, monkeypatch):
    (tmp_path / 'declines.py').write_text(
        'from spec_tests.adapters.reference import ReferenceAdapter\n\n\n'
        'class Declines(ReferenceAdapter):\n'
        "    name = 'declines'\n"
        "    not_applicable = {'TREE-ORDER': 'orders its own way'}\n\n\n"
        'ADAPTER = Declines()\n'
    )
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join([str(tmp_path), *sys.path]))
    out = tmp_path / 'out'
    select = 'test_leaves_in_flatten_order_with_full_paths or test_apis_over_several_trees'

    status = main.main(['--impl', 'declines', '--out', str(out), '-k', select])

    rows = json.loads((out / 'conformance.json').read_text())['rows']
    assert status == 0
    assert rows['TREE-ORDER']['declines']['verdict'] == 'n.a.'
    assert rows['TREE-ORDER']['declines']['reason'] == 'orders its own way'
    assert rows['SHARE-TREE-MAP']['declines']['verdict'] == 'pass'  # the others run


def test_the_frameworks_section_is_written_from_the_matrix(tmp_path, monkeypatch):
    report = _report('nnx', 'failed', [_FAILURE])
    built = matrix.build([_report('reference', 'passed'), report], {'nnx': {'SHARE-CYCLES': 'cycles are lost'}})
    (tmp_path / 'conformance.json').write_text(json.dumps(built))
    readme = tmp_path / 'README.md'
    readme.write_text(f'# x\n\n{frameworks.BEGIN}\nstale\n{frameworks.END}\n\nkept\n')
    monkeypatch.setattr(frameworks, 'frameworks', lambda: [{'name': 'nnx', 'packages': []}])

    status = frameworks.main(['--json', str(tmp_path / 'conformance.json'), '--readme', str(readme)])

    text = readme.read_text()
    assert status == 0 and 'stale' not in text and text.endswith('\n\nkept\n')
    assert '| SHARE-CYCLES (core) | pass | **fails** |' in text
    assert '- **nnx**, SHARE-CYCLES: cycles are lost.' in text
    assert '- **nnx**, SHARE-REPR, not applicable: no repr.' in text


def test_core_and_claimed_features_gate_and_unclaimed_ones_do_not():
    built = matrix.build(
        [
            _report('core-fails', 'failed', [_FAILURE], features=['deep']),
            _report('deep-claimed-fails', 'passed', features=['deep'], deep='failed'),
            _report('deep-unclaimed-fails', 'passed', deep='failed'),
        ]
    )
    columns = {c['name']: c for c in built['columns']}

    assert [c['ok'] for c in columns.values()] == [False, False, True]
    assert columns['core-fails']['levels']['core'] == {'verdict': 'FAIL', 'claimed': True}
    assert columns['deep-claimed-fails']['levels']['deep'] == {'verdict': 'FAIL', 'claimed': True}
    assert columns['deep-unclaimed-fails']['levels']['deep'] == {'verdict': 'fail', 'claimed': False}
    assert built['levels'] == ['core', 'deep', 'repr']
    assert 'fail (not claimed)' in matrix.render(built)


def test_expected_failures_pass_the_job_and_stale_ones_fail_it():
    known = {
        'old': {'SHARE-CYCLES': 'loses cycles'},
        'fixed': {'SHARE-CYCLES': 'loses cycles'},
        'unclaimed': {'TREE-DEEP': 'recursion'},
    }
    built = matrix.build(
        [
            _report('old', 'failed', [_FAILURE]),
            _report('fixed', 'passed'),
            _report('unclaimed', 'passed', deep='failed'),
        ],
        known,
    )
    columns = {c['name']: c for c in built['columns']}

    assert built['rows']['SHARE-CYCLES']['old']['verdict'] == 'xfail' and columns['old']['ok']
    assert built['rows']['SHARE-CYCLES']['fixed']['verdict'] == 'STALE' and not columns['fixed']['ok']
    assert 'remove it from the expected results' in columns['fixed']['problems'][0]
    assert built['rows']['TREE-DEEP']['unclaimed']['verdict'] == 'STALE'  # a listing that gates nothing


def test_crash_fails_the_job():
    built = matrix.build([{'name': 'gone', 'results': [], 'crash': 'no report (exit status 1)'}])

    assert not built['columns'][0]['ok'] and built['columns'][0]['problems'] == ['no report (exit status 1)']
    assert set(built['columns'][0]['levels']) == {'core', 'deep', 'repr', 'state', 'tags'}


def test_crashed_and_timed_out_tests_are_marked_in_every_report():
    crashed = {
        'message': 'the process died with SIGABRT (signal 6) while running t.py::test_cycles',
        'counterexample': {},
    }
    report = _report('bad', 'failed', [crashed])
    report['results'][0]['fault'] = 'crash'
    built = matrix.build([report])

    cell = built['rows']['SHARE-CYCLES']['bad']
    assert cell['verdict'] == 'FAIL' and cell['fault'] == 'crash' and cell['tests'][0]['fault'] == 'crash'
    assert 'FAIL (crash)' in matrix.render(built) and 'SIGABRT (signal 6)' in matrix.render(built)
    assert '<b>(crash)</b>' in page.render(built)
    assert 'SIGABRT' in junit.render(built)


def test_junit_has_one_testcase_per_implementation_and_id():
    built = matrix.build(
        [_report('good', 'passed'), _report('bad', 'failed', [_FAILURE])], {'good': {'SHARE-REPR': 'no repr'}}
    )
    root = ElementTree.fromstring(junit.render(built).encode())

    assert [s.get('name') for s in root] == ['good', 'bad'] and root.get('tests') == '6'
    cases = {(s.get('name'), c.get('name')): c for s in root for c in s}
    failure = cases['bad', 'SHARE-CYCLES'].find('failure')
    assert failure is not None
    assert 'the cycle is lost' in failure.get('message', '') and "Reference('t', n2)" in (failure.text or '')
    stale = cases['good', 'SHARE-REPR'].find('failure')
    assert stale is not None and 'expected failure' in stale.get('message', '')
    assert cases['good', 'SHARE-CYCLES'].find('*') is None


def test_expected_results_name_spec_ids(tmp_path):
    path = tmp_path / 'expected.json'
    path.write_text(json.dumps({'x': {'SHARE-CYCLES': 'why'}}))
    assert expected.load(str(path)) == {'x': {'SHARE-CYCLES': 'why'}}
    path.write_text(json.dumps({'x': ['SHARE-CYCLES']}))
    with pytest.raises(expected.ExpectedResultsError, match='must map SPEC ids'):
        expected.load(str(path))
    assert main.main(['--expected', str(tmp_path / 'missing.json')]) == 2


def test_huge_counterexamples_stay_small():
    deep = Graph(tuple(Node('module', keys=('child',), children=(i + 1,)) for i in range(10_000)) + (Node('array'),))
    value = jsonable(deep)

    assert len(json.dumps(value)) < 2_000, len(json.dumps(value))
    assert value['graph']['summary'] == {
        'nodes': 10_001,
        'edges': 10_000,
        'depth': 10_000,
        'kinds': {'module': 10_000, 'array': 1},
    }
    failure = {'message': 'RecursionError', 'counterexample': {'graph': value}}
    built = matrix.build([_report('bad', 'failed', [failure])])
    assert '10001 nodes (10000 module, 1 array), 10000 edges, 10000 levels deep' in matrix.render(built)
    assert 'too large to draw' in page.render(built)


def test_parallel_edges_are_drawn_apart_with_both_labels():
    tied = Graph(
        (
            Node('scope', keys=('a', 'b'), children=(1, 1)),
            Node('ref', tag='t', children=(2,)),
            Node('array', shape=(2,)),
        )
    )
    svg = page.draw(tied.to_json())
    paths = re.findall(r'<path d="([^"]+)" fill="none"', svg)

    assert '>.a</text>' in svg and '>.b</text>' in svg
    assert len(paths) == 3 and paths[0] != paths[1]  # the two edges from the root to r1
    labels = re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*>\.[ab]</text>', svg)
    assert labels[0] != labels[1]
