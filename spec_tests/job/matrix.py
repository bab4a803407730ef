r"""The conformance matrix: one row per SPEC id, one column per implementation, and the
verdict of each conformance level (the core, and each feature of SPEC.md).

A cell's ``status`` is ``pass`` when the tests tagged with the id passed, ``FAIL`` when
one failed (with the shrunk counterexample of each failed test), ``n.a.`` when every
such test was not applicable, and ``-`` when none ran (the implementation's run
crashed). Its ``verdict`` says what the status means for the job:

- ``pass``, ``n.a.``, ``-``: as the status (an ``n.a.`` cell has the adapter's ``reason``);
- ``FAIL``: a rule of the core or of a feature the implementation claims fails, and the
  expected results do not list it: the job fails;
- ``xfail``: such a failure, listed in the expected results: the job passes;
- ``STALE``: listed in the expected results, but not such a failure now (it passes, or
  its feature is not claimed): the job fails until the entry is removed;
- ``fail``: a rule of a feature the implementation does not claim fails: shown, never
  gating.

A failed test whose process crashed while it ran, or that the job killed for taking too
long, has ``fault`` (``crash`` or ``timeout``); so has its cell, shown as ``FAIL (crash)``.

A ``FAIL`` cell of a rule that builds on a foundation of SPEC.md (its section
"Foundations") that fails in the same column also has ``likely_from``, the failing
foundations: an explanation pointing at the root cause, which changes no verdict. The
failures of foundations are listed before the others.

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

    A failure of a rule that builds on a failing foundation is marked with it:

    >>> report['spec_foundations'] = {'A': ['B']}
    >>> report['results'][0]['outcome'] = 'failed'
    >>> cell = build([report])['rows']['B']['x']
    >>> cell['verdict'], cell['likely_from'], cell_text(cell)
    ('fail', ['A'], 'fail, likely from A: see there')
"""

from typing import Any

from ..runner.harness import SPEC_FEATURES, SPEC_FOUNDATIONS

#: The level of the rules that every implementation must pass.
CORE = 'core'

_ORDER = {'failed': 0, 'error': 0, 'passed': 1, 'n.a.': 2, 'skipped': 3}

# A level's verdict is its worst cell's, in this order (a crashed run's cells are all '-').
_WORST = ('FAIL', 'STALE', 'xfail', 'fail', 'pass', 'n.a.', '-')

# What a cell keeps of each of its tests' results.
_TEST_KEYS = ('test', 'outcome', 'fault', 'examples', 'unbuildable', 'duration', 'message', 'failures')

#: Expected results: per implementation name, the SPEC ids it is known to fail, each
#: with a one-line reason.
Expected = dict[str, dict[str, str]]


def build(reports: list[dict[str, Any]], expected: Expected | None = None) -> dict[str, Any]:
    r"""The matrix of the JSON reports of :mod:`spec_tests.runner.plugin`, one per
    implementation, judged against ``expected``."""

    expected = expected or {}
    spec_ids: list[str] = []
    levels = {spec: feature or CORE for spec, feature in SPEC_FEATURES.items()}
    foundations = {spec: list(rules) for spec, rules in SPEC_FOUNDATIONS.items()}
    for report in reports:
        spec_ids += [s for s in report.get('spec_ids', []) if s not in spec_ids]
        levels.update({s: f or CORE for s, f in report.get('spec_features', {}).items()})
        foundations.update({s: list(rules) for s, rules in report.get('spec_foundations', {}).items()})
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
        _mark_likely_causes(column['name'], rows, foundations)
        _judge(column, rows, levels, claimed, known, foundations)
    return {
        'columns': columns,
        'levels': [CORE] + sorted({levels.get(spec, CORE) for spec in rows} - {CORE}),
        'spec_levels': {spec: levels.get(spec, CORE) for spec in rows},
        'foundations': foundations,
        'rows': rows,
    }


def _mark_likely_causes(name: str, rows: dict[str, dict[str, Any]], foundations: dict[str, list[str]]) -> None:
    r"""Gives each failed cell of column ``name`` whose rule builds on a failed foundation
    the list of those foundations (``likely_from``)."""

    for foundation, rules in foundations.items():
        if rows.get(foundation, {}).get(name, {}).get('status') != 'FAIL':
            continue
        for spec in rules:
            cell = rows.get(spec, {}).get(name)
            if cell is not None and cell['status'] == 'FAIL':
                cell.setdefault('likely_from', []).append(foundation)


def reading_order(rows: dict[str, Any], foundations: dict[str, list[str]]) -> list[str]:
    r"""The SPEC ids of ``rows``, the foundations first (their failures explain others),
    each group in the order of the rows.

    Example:
        >>> reading_order({'A': {}, 'B': {}, 'C': {}}, {'B': ['A']})
        ['B', 'A', 'C']
    """

    return [s for s in rows if s in foundations] + [s for s in rows if s not in foundations]


def likely_text(cell: dict[str, Any]) -> str:
    r"""The failed foundations a cell likely follows from, as a clause; empty if none.

    Example:
        >>> likely_text({'likely_from': ['TREE-ROUNDTRIP', 'TREE-DEFINITION']})
        'likely from TREE-ROUNDTRIP and TREE-DEFINITION: see there'
    """

    causes = cell.get('likely_from', [])
    return f'likely from {" and ".join(causes)}: see there' if causes else ''


def cell_text(cell: dict[str, Any]) -> str:
    r"""A cell as the text matrix shows it: its verdict, whether a test crashed or timed
    out, and what it likely follows from.

    Example:
        >>> cell_text({'verdict': 'FAIL', 'fault': 'timeout'})
        'FAIL (timeout)'
    """

    verdict = cell['verdict'] + (f' ({cell["fault"]})' if 'fault' in cell else '')
    likely = likely_text(cell)
    return f'{verdict}, {likely}' if likely else verdict


def _column(report: dict[str, Any]) -> dict[str, Any]:
    keys = ('name', 'version', 'impl', 'features', 'profile', 'seconds', 'python', 'jax', 'load_error', 'crash')
    return {k: report[k] for k in keys if k in report}


def _cell(results: list[dict[str, Any]]) -> dict[str, Any]:
    if not results:
        return {'status': '-', 'tests': []}
    outcomes = sorted((r['outcome'] for r in results), key=_ORDER.get)  # pyright: ignore  (outcomes are its keys)
    status = {'failed': 'FAIL', 'error': 'FAIL', 'passed': 'pass', 'n.a.': 'n.a.'}.get(outcomes[0], '-')
    reason = next((r['message'].removeprefix('n.a.: ') for r in results if r['outcome'] == 'n.a.'), '')
    return {
        'status': status,
        **({'reason': reason} if status == 'n.a.' else {}),
        'tests': [{k: r[k] for k in _TEST_KEYS if k in r} for r in results],
    } | ({'fault': faults[0]} if (faults := sorted({r['fault'] for r in results if 'fault' in r})) else {})


def _verdict(status: str, gated: bool, listed: bool) -> str:
    if status == '-':
        return '-'
    if status == 'FAIL' and gated:
        return 'xfail' if listed else 'FAIL'
    if listed:
        return 'STALE'
    return 'fail' if status == 'FAIL' else status


def _judge(
    column: dict[str, Any],
    rows: dict[str, dict[str, Any]],
    levels: dict[str, str],
    claimed: set,
    known: dict[str, str],
    foundations: dict[str, list[str]],
) -> None:
    r"""Adds to ``column`` the verdict of each level, whether the implementation passes
    the job (``ok``) and, if not, why (``problems``, the foundations' first)."""

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
    for spec in reading_order(rows, foundations):
        verdict = rows[spec][name]['verdict']
        if verdict == 'FAIL':
            likely = likely_text(rows[spec][name])
            problems.append(f'{spec} ({levels.get(spec, CORE)}) fails' + (f', {likely}' if likely else ''))
        elif verdict == 'STALE':
            status = rows[spec][name]['status']
            problems.append(
                f'{spec} is listed as an expected failure ({known[spec]}) but is '
                f'{"not a claimed feature" if status == "FAIL" else status}: '
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
    failure with its counterexample, the foundations' first."""

    names = [c['name'] for c in matrix['columns']]
    by_name = {c['name']: c for c in matrix['columns']}
    first = max([len(s) + 9 for s in matrix['rows']] + [16])
    totals = {n: ' '.join(f'{v} {k}' for k, v in sorted(found.items())) for n, found in counts(matrix).items()}
    cells = {spec: [cell_text(row.get(n, {'verdict': '-'})) for n in names] for spec, row in matrix['rows'].items()}
    widths = [
        max(
            [len(n), 5, len(totals[n])]
            + [len(level_text(lv)) for lv in by_name[n]['levels'].values()]
            + [len(texts[i]) for texts in cells.values()]
        )
        for i, n in enumerate(names)
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
    for spec, texts in cells.items():
        lines.append(line(f'{spec} ({matrix["spec_levels"][spec]})', texts))
    lines.append('-' * len(header))
    lines.append(line('totals', [totals[n] for n in names]))
    for column in matrix['columns']:
        for problem in column['problems']:
            lines.append(f'{column["name"]}: {problem}')
    lines += not_applicable_lines(matrix)
    if details:
        lines += _details(matrix, names)
    return '\n'.join(lines)


def not_applicable_lines(matrix: dict[str, Any]) -> list[str]:
    r"""Each rule that an implementation's adapter declares not applicable, with why.

    Example:
        >>> not_applicable_lines({'columns': [{'name': 'x'}], 'rows': {'A': {'x': {'reason': 'no tags'}}}})
        ['x: A is not applicable: no tags']
    """

    return [
        f'{column["name"]}: {spec} is not applicable: {row[column["name"]]["reason"]}'
        for column in matrix['columns']
        for spec, row in matrix['rows'].items()
        if 'reason' in row.get(column['name'], {})
    ]


def _details(matrix: dict[str, Any], names: list[str]) -> list[str]:
    r"""Each failed test, with its counterexample: those of foundations first."""

    lines: list[str] = []
    for spec in reading_order(matrix['rows'], matrix['foundations']):
        for name in names:
            cell = matrix['rows'][spec].get(name, {})
            for test in cell.get('tests', []):
                if test['outcome'] in ('failed', 'error'):
                    note = {
                        'xfail': ' (expected: ' + cell.get('expected', '') + ')',
                        'fail': ' (feature not claimed)',
                    }.get(cell['verdict'], '')
                    likely = f' ({likely_text(cell)})' if 'likely_from' in cell else ''
                    lines += ['', f'=== {spec} on {name}: {test["test"].split("::")[-1]}{note}{likely}']
                    lines += failure_lines(test)
    return lines


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
