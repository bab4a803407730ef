r"""The conformance matrix: one row per SPEC id, one column per implementation, and the
verdict of each conformance level (the core, and each feature of SPEC.md).

A cell's ``status`` is ``pass`` when the tests tagged with the id passed, ``FAIL`` when
one failed (with the shrunk counterexample of each failed test), ``n.a.`` when every
such test was not applicable, and ``-`` when none ran (the implementation's run
crashed). Its ``verdict`` says what the status means for the job:

- ``pass``, ``n.a.``, ``-``: as the status;
- ``FAIL``: a rule of the core or of a feature the implementation claims fails, and the
  expected results do not list it: the job fails;
- ``xfail``: such a failure, listed in the expected results: the job passes;
- ``STALE``: listed in the expected results, but not such a failure now (it passes, or
  its feature is not claimed): the job fails until the entry is removed;
- ``fail``: a rule of a feature the implementation does not claim fails: shown, never
  gating.

Example:
    >>> report = {'name': 'x', 'version': '1', 'spec_ids': ['A', 'B'], 'features': [],
    ...           'spec_features': {'A': None, 'B': 'deep'}, 'results': [
    ...     {'test': 't::f', 'spec': ['A'], 'outcome': 'passed'},
    ...     {'test': 't::g', 'spec': ['B'], 'outcome': 'failed'}]}
    >>> built = build([report])
    >>> built['rows']['B']['x']['verdict'], built['columns'][0]['levels']['deep']
    ('fail', {'verdict': 'fail', 'claimed': False})
    >>> built['columns'][0]['ok']
    True
"""

from typing import Any

from ..runner.harness import SPEC_FEATURES

#: The level of the rules that every implementation must pass.
CORE = 'core'

_ORDER = {'failed': 0, 'error': 0, 'passed': 1, 'n.a.': 2, 'skipped': 3}

# A level's verdict is its worst cell's, in this order (a crashed run's cells are all '-').
_WORST = ('FAIL', 'STALE', 'xfail', 'fail', 'pass', 'n.a.', '-')

#: Expected results: per implementation name, the SPEC ids it is known to fail, each
#: with a one-line reason.
Expected = dict[str, dict[str, str]]


def build(reports: list[dict[str, Any]], expected: Expected | None = None) -> dict[str, Any]:
    r"""The matrix of the JSON reports of :mod:`spec_tests.runner.plugin`, one per
    implementation, judged against ``expected``."""

    expected = expected or {}
    spec_ids: list[str] = []
    levels = {spec: feature or CORE for spec, feature in SPEC_FEATURES.items()}
    for report in reports:
        spec_ids += [s for s in report.get('spec_ids', []) if s not in spec_ids]
        levels.update({s: f or CORE for s, f in report.get('spec_features', {}).items()})
    spec_ids = spec_ids or list(SPEC_FEATURES)  # every run crashed: the rows of this SPEC.md
    columns = [_column(report) for report in reports]
    rows: dict[str, dict[str, Any]] = {spec: {} for spec in spec_ids}
    for column, report in zip(columns, reports, strict=True):
        by_id: dict[str, list[dict[str, Any]]] = {spec: [] for spec in spec_ids}
        for result in report.get('results', []):
            for spec in result['spec']:
                by_id.setdefault(spec, []).append(result)
        claimed = {CORE} | set(column.get('features', []))
        known = expected.get(column['name'], {})
        for spec, results in by_id.items():
            cell = _cell(results)
            cell['verdict'] = _verdict(cell['status'], levels.get(spec, CORE) in claimed, spec in known)
            if spec in known:
                cell['expected'] = known[spec]
            rows.setdefault(spec, {})[column['name']] = cell
        _judge(column, rows, levels, claimed, known)
    return {
        'columns': columns,
        'levels': [CORE] + sorted({levels.get(spec, CORE) for spec in rows} - {CORE}),
        'spec_levels': {spec: levels.get(spec, CORE) for spec in rows},
        'rows': rows,
    }


def _column(report: dict[str, Any]) -> dict[str, Any]:
    keys = ('name', 'version', 'impl', 'features', 'profile', 'seconds', 'python', 'jax', 'load_error', 'crash')
    return {k: report[k] for k in keys if k in report}


def _cell(results: list[dict[str, Any]]) -> dict[str, Any]:
    if not results:
        return {'status': '-', 'tests': []}
    outcomes = sorted((r['outcome'] for r in results), key=_ORDER.get)  # pyright: ignore  (outcomes are its keys)
    status = {'failed': 'FAIL', 'error': 'FAIL', 'passed': 'pass', 'n.a.': 'n.a.'}.get(outcomes[0], '-')
    return {
        'status': status,
        'tests': [
            {k: r[k] for k in ('test', 'outcome', 'examples', 'duration', 'message', 'failures') if k in r}
            for r in results
        ],
    }


def _verdict(status: str, gated: bool, listed: bool) -> str:
    if status == '-':
        return '-'
    if status == 'FAIL' and gated:
        return 'xfail' if listed else 'FAIL'
    if listed:
        return 'STALE'
    return 'fail' if status == 'FAIL' else status


def _judge(
    column: dict[str, Any], rows: dict[str, dict[str, Any]], levels: dict[str, str], claimed: set, known: dict[str, str]
) -> None:
    r"""Adds to ``column`` the verdict of each level, whether the implementation passes
    the job (``ok``) and, if not, why (``problems``)."""

    name = column['name']
    verdicts: dict[str, list[str]] = {}
    for spec, row in rows.items():
        verdicts.setdefault(levels.get(spec, CORE), []).append(row[name]['verdict'])
    column['levels'] = {
        level: {'verdict': min(found, key=_WORST.index), 'claimed': level in claimed}
        for level, found in sorted(verdicts.items(), key=lambda item: (item[0] != CORE, item[0]))
    }
    problems = []
    if column.get('load_error') or column.get('crash'):
        problems.append(column.get('load_error') or column['crash'])
    for spec, row in rows.items():
        verdict = row[name]['verdict']
        if verdict == 'FAIL':
            problems.append(f'{spec} ({levels.get(spec, CORE)}) fails')
        elif verdict == 'STALE':
            problems.append(
                f'{spec} is listed as an expected failure ({known[spec]}) but is '
                f'{"not a claimed feature" if row[name]["status"] == "FAIL" else row[name]["status"]}: '
                'remove it from the expected results'
            )
    column['ok'] = not problems
    column['problems'] = problems


def counts(matrix: dict[str, Any]) -> dict[str, dict[str, int]]:
    r"""How many cells of each verdict every implementation has."""

    found: dict[str, dict[str, int]] = {c['name']: {} for c in matrix['columns']}
    for row in matrix['rows'].values():
        for name, cell in row.items():
            found[name][cell['verdict']] = found[name].get(cell['verdict'], 0) + 1
    return found


def level_text(level: dict[str, Any]) -> str:
    r"""A level's verdict as the matrix shows it.

    Example:
        >>> level_text({'verdict': 'fail', 'claimed': False})
        'fail (not claimed)'
    """

    return level['verdict'] + ('' if level['claimed'] else ' (not claimed)')


def render(matrix: dict[str, Any], details: bool = True) -> str:
    r"""The matrix as text: the levels of each implementation, the rows, then each
    failure with its counterexample."""

    names = [c['name'] for c in matrix['columns']]
    by_name = {c['name']: c for c in matrix['columns']}
    first = max([len(s) + 9 for s in matrix['rows']] + [16])
    totals = {n: ' '.join(f'{v} {k}' for k, v in sorted(found.items())) for n, found in counts(matrix).items()}
    widths = [
        max([len(n), 5, len(totals[n])] + [len(level_text(lv)) for lv in by_name[n]['levels'].values()]) for n in names
    ]

    def line(head: str, cells: list[str]) -> str:
        return head.ljust(first) + ' | ' + ' | '.join(c.ljust(w) for c, w in zip(cells, widths, strict=True))

    header = line('level', names)
    lines = [header, '-' * len(header)]
    for level in matrix['levels']:
        lines.append(
            line(
                level,
                [level_text(by_name[n]['levels'][level]) if level in by_name[n]['levels'] else '-' for n in names],
            )
        )
    lines.append(line('job', ['ok' if by_name[n]['ok'] else 'FAILS' for n in names]))
    lines += ['', line('SPEC id (level)', names), '-' * len(header)]
    for spec, row in matrix['rows'].items():
        lines.append(
            line(f'{spec} ({matrix["spec_levels"][spec]})', [row.get(n, {'verdict': '-'})['verdict'] for n in names])
        )
    lines.append('-' * len(header))
    lines.append(line('totals', [totals[n] for n in names]))
    for column in matrix['columns']:
        for problem in column['problems']:
            lines.append(f'{column["name"]}: {problem}')
    if details:
        for spec, row in matrix['rows'].items():
            for name in names:
                cell = row.get(name, {})
                for test in cell.get('tests', []):
                    if test['outcome'] in ('failed', 'error'):
                        note = {
                            'xfail': ' (expected: ' + cell.get('expected', '') + ')',
                            'fail': ' (feature not claimed)',
                        }.get(cell['verdict'], '')
                        lines += ['', f'=== {spec} on {name}: {test["test"].split("::")[-1]}{note}']
                        lines += failure_lines(test)
    return '\n'.join(lines)


def failure_lines(test: dict[str, Any]) -> list[str]:
    r"""A failed test as text: its messages and counterexamples (graphs as the source
    that builds them, large ones as an outline and a summary)."""

    lines: list[str] = []
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
                if 'summary' in value['graph']:
                    lines.append('    # ' + summary_text(value['graph']['summary']))
            else:
                lines.append(f'  {argument} = {value["repr"]}')
    return lines


def summary_text(summary: dict[str, Any]) -> str:
    r"""One line about a graph too large to show whole.

    Example:
        >>> summary_text({'nodes': 3, 'edges': 2, 'depth': 2, 'kinds': {'module': 2, 'array': 1}})
        '3 nodes (2 module, 1 array), 2 edges, 2 levels deep'
    """

    kinds = ', '.join(f'{n} {kind}' for kind, n in summary['kinds'].items())
    return f'{summary["nodes"]} nodes ({kinds}), {summary["edges"]} edges, {summary["depth"]} levels deep'
