r"""The conformance matrix: one row per SPEC id, one column per implementation.

A cell is ``pass`` when the tests tagged with the id passed, ``FAIL`` when one failed
(with the shrunk counterexample of each failed test), ``n.a.`` when every such test
was not applicable, and ``-`` when none ran (the implementation's run crashed).

Example:
    >>> report = {'name': 'x', 'version': '1', 'spec_ids': ['A'], 'results': [
    ...     {'test': 't::f', 'spec': ['A'], 'outcome': 'passed'}]}
    >>> build([report])['rows']['A']['x']['status']
    'pass'
"""

from typing import Any, Dict, List

_ORDER = {'failed': 0, 'error': 0, 'passed': 1, 'n.a.': 2, 'skipped': 3}


def build(reports: List[Dict[str, Any]]) -> Dict[str, Any]:
    r"""The matrix of the JSON reports of :mod:`spec_tests.plugin`, one per
    implementation."""

    spec_ids: List[str] = []
    for report in reports:
        spec_ids += [s for s in report.get('spec_ids', []) if s not in spec_ids]
    columns = [_column(report) for report in reports]
    rows: Dict[str, Dict[str, Any]] = {spec: {} for spec in spec_ids}
    untagged: Dict[str, List[Dict[str, Any]]] = {}
    for column, report in zip(columns, reports):
        by_id: Dict[str, List[Dict[str, Any]]] = {spec: [] for spec in spec_ids}
        for result in report.get('results', []):
            for spec in result['spec']:
                by_id.setdefault(spec, []).append(result)
            if not result['spec'] and result['outcome'] in ('failed', 'error'):
                untagged.setdefault(column['name'], []).append(result)
        for spec, results in by_id.items():
            rows.setdefault(spec, {})[column['name']] = _cell(results)
    return {'columns': columns, 'rows': rows, 'untagged_failures': untagged}


def _column(report: Dict[str, Any]) -> Dict[str, Any]:
    keys = ('name', 'version', 'impl', 'profile', 'seconds', 'python', 'jax', 'load_error', 'crash')
    return {k: report[k] for k in keys if k in report}


def _cell(results: List[Dict[str, Any]]) -> Dict[str, Any]:
    if not results:
        return {'status': '-', 'tests': []}
    outcomes = sorted((r['outcome'] for r in results), key=_ORDER.get)
    status = {'failed': 'FAIL', 'error': 'FAIL', 'passed': 'pass', 'n.a.': 'n.a.'}.get(outcomes[0], '-')
    return {
        'status': status,
        'tests': [
            {k: r[k] for k in ('test', 'outcome', 'examples', 'duration', 'message', 'failures') if k in r}
            for r in results
        ],
    }


def counts(matrix: Dict[str, Any]) -> Dict[str, Dict[str, int]]:
    r"""How many cells of each status every implementation has."""

    found: Dict[str, Dict[str, int]] = {c['name']: {} for c in matrix['columns']}
    for row in matrix['rows'].values():
        for name, cell in row.items():
            found[name][cell['status']] = found[name].get(cell['status'], 0) + 1
    return found


def render(matrix: Dict[str, Any], details: bool = True) -> str:
    r"""The matrix as text, then each failure with its counterexample."""

    names = [c['name'] for c in matrix['columns']]
    first = max([len(s) for s in matrix['rows']] + [7])
    widths = [max(len(n), 5) for n in names]
    lines = ['SPEC id'.ljust(first) + ' | ' + ' | '.join(n.ljust(w) for n, w in zip(names, widths))]
    lines.append('-' * len(lines[0]))
    for spec, row in matrix['rows'].items():
        cells = [row.get(n, {'status': '-'})['status'].ljust(w) for n, w in zip(names, widths)]
        lines.append(spec.ljust(first) + ' | ' + ' | '.join(cells))
    totals = counts(matrix)
    lines.append('-' * len(lines[0]))
    lines.append('totals'.ljust(first) + ' | ' + ' | '.join(
        ' '.join(f'{v}{k[0].lower()}' for k, v in sorted(totals[n].items())).ljust(w) for n, w in zip(names, widths)))
    for column in matrix['columns']:
        problem = column.get('load_error') or column.get('crash')
        if problem:
            lines.append(f'\n{column["name"]}: {problem}')
    if details:
        for spec, row in matrix['rows'].items():
            for name in names:
                for test in row.get(name, {}).get('tests', []):
                    if test['outcome'] in ('failed', 'error'):
                        lines += ['', f'=== {spec} on {name}: {test["test"].split("::")[-1]}']
                        lines += _failure_lines(test)
        for name, tests in matrix['untagged_failures'].items():
            for test in tests:
                lines += ['', f'=== (no SPEC id) on {name}: {test["test"]}'] + _failure_lines(test)
    return '\n'.join(lines)


def _failure_lines(test: Dict[str, Any]) -> List[str]:
    lines: List[str] = []
    if test['outcome'] == 'error' or not test.get('failures'):
        lines += ['  ' + line for line in (test.get('message') or '').splitlines()[:8]]
    for n, failure in enumerate(test.get('failures', [])):
        if n:
            lines.append('  --- another distinct failure:')
        lines += ['  ' + line for line in failure['message'].splitlines()[:8]]
        for argument, value in failure['counterexample'].items():
            if 'graph' in value:
                lines.append(f'  counterexample {argument}:')
                lines += ['    ' + line for line in value['graph']['source'].splitlines()]
            else:
                lines.append(f'  {argument} = {value["repr"]}')
    return lines
