r"""Self-test of the conformance job's reports (no SPEC id): a failure's counterexample
reaches the text matrix and is drawn in the HTML page."""

from .graph import Graph, Node
from .job import matrix, page


def _report(name, outcome, failures=()):
    return {
        'name': name, 'version': '1', 'profile': 'ci', 'seconds': 1.0,
        'spec_ids': ['SHARE-CYCLES', 'SHARE-REPR'],
        'results': [
            {'test': 't.py::test_cycles', 'spec': ['SHARE-CYCLES'], 'outcome': outcome, 'failures': list(failures)},
            {'test': 't.py::test_repr', 'spec': ['SHARE-REPR'], 'outcome': 'n.a.', 'message': 'n.a.: no repr'},
        ],
    }


def test_matrix_text_and_page_show_the_counterexample():
    graph = Graph((Node('scope', keys=('a',), children=(1,)), Node('ref', tag='t', children=(2,)),
                   Node('module', keys=('back',), children=(1,))))
    failure = {'message': 'AssertionError: the cycle is lost', 'counterexample': {'graph': {'graph': graph.to_json()}}}
    built = matrix.build([_report('good', 'passed'), _report('bad', 'failed', [failure])])

    assert built['rows']['SHARE-CYCLES']['good']['status'] == 'pass'
    assert built['rows']['SHARE-CYCLES']['bad']['status'] == 'FAIL'
    assert built['rows']['SHARE-REPR']['bad']['status'] == 'n.a.'
    text = matrix.render(built)
    assert 'the cycle is lost' in text and "r1 = Reference('t', n2)" in text

    html = page.render(built)
    assert html.count('<svg') == 1 and 'stroke="#c0392b"' in html  # the cycle, in red
    assert 'href="#SHARE-CYCLES-bad"' in html and 'id="SHARE-CYCLES-bad"' in html
