r"""The conformance matrix as one self-contained HTML page, each counterexample drawn
with :mod:`spec_tests.job.svg`."""

from html import escape
from typing import Any

from .matrix import counts, level_text, likely_text, reading_order, summary_text
from .svg import draw

_STYLE = '''
body { font-family: system-ui, sans-serif; margin: 24px; color: #1b2631; }
table.matrix { border-collapse: collapse; font-size: 13px; }
table.matrix th, table.matrix td { border: 1px solid #ccd1d1; padding: 3px 10px; text-align: center; }
table.matrix td.spec { text-align: left; font-family: monospace; }
td.pass { background: #d5f5e3; } td.FAIL, td.STALE { background: #f5b7b1; font-weight: bold; }
td.xfail { background: #fdebd0; } td.fail { background: #fbeee6; color: #6e2c00; }
td.na { background: #eaeded; color: #566573; } td.none { background: #fdfefe; color: #99a3a4; }
td.FAIL a, td.STALE a { color: #922b21; } td.xfail a, td.fail a { color: #6e2c00; }
tr.job td { font-weight: bold; }
.failure { border: 1px solid #e6b0aa; border-radius: 6px; margin: 18px 0; padding: 10px 14px; }
.failure h3 { margin: 0 0 6px 0; font-size: 15px; }
pre { background: #f8f9f9; padding: 8px; white-space: pre-wrap; font-size: 12px; }
.row { display: flex; gap: 18px; align-items: flex-start; flex-wrap: wrap; }
.legend { font-size: 12px; color: #566573; }
'''


_LEVELS_LEGEND = (
    '<p class="legend">core: every implementation must pass it; the other levels are the optional '
    'features of SPEC.md, gating only when claimed. xfail: a failure listed in the expected results; '
    'STALE: listed there but no longer such a failure; fail: a failure of a feature not claimed. '
    '"likely from" names a foundation of SPEC.md that fails too, the likely root cause: read it first.</p>'
)

_EDGES_LEGEND = (
    '<p class="legend">Edges: solid, an attribute, item or key; dashed, the value of a Reference '
    '(labelled with its tag); red, on a cycle; two edges between the same nodes bend apart. '
    'The thick box is the root.</p>'
)


def render(matrix: dict[str, Any], title: str = 'Conformance matrix') -> str:
    r"""The HTML page of ``matrix`` (see :func:`spec_tests.job.matrix.build`): the
    columns, the verdict of each level, the verdict of each rule, and the failures."""

    names = [c['name'] for c in matrix['columns']]
    parts = [
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>',
        f'<style>{_STYLE}</style></head><body>',
        f'<h1>{escape(title)}</h1>',
        _columns(matrix),
        *_levels(matrix, names),
        *_rules(matrix, names),
        _EDGES_LEGEND,
        '<h2>Failures</h2>',
        *_failures(matrix, names),
        '</body></html>',
    ]
    return '\n'.join(parts)


def _header(names: list[str]) -> str:
    return ''.join(f'<th>{escape(n)}</th>' for n in names)


def _levels(matrix: dict[str, Any], names: list[str]) -> list[str]:
    r"""The table of levels (core and the optional features), with the job's verdict
    per column and the problems that fail a column."""

    by_name = {c['name']: c for c in matrix['columns']}
    parts = ['<h2>Levels</h2>', f'<table class="matrix"><tr><th>level</th>{_header(names)}</tr>']
    for level in matrix['levels']:
        cells = ''.join(_level_cell(by_name[n]['levels'].get(level)) for n in names)
        parts.append(f'<tr><td class="spec">{escape(level)}</td>{cells}</tr>')
    parts.append(
        '<tr class="job"><td class="spec">job</td>'
        + ''.join(
            f'<td class="{"pass" if by_name[n]["ok"] else "FAIL"}">{"ok" if by_name[n]["ok"] else "FAILS"}</td>'
            for n in names
        )
        + '</tr></table>'
    )
    problems = [f'<li><b>{escape(c["name"])}</b>: {escape(p)}</li>' for c in matrix['columns'] for p in c['problems']]
    if problems:
        parts.append(f'<ul>{"".join(problems)}</ul>')
    parts.append(_LEVELS_LEGEND)
    return parts


def _rules(matrix: dict[str, Any], names: list[str]) -> list[str]:
    r"""The table of SPEC ids, a verdict per column (linked to its failures, and to the
    row of the failing foundation it likely follows from), and the totals."""

    parts = [f'<h2>Rules</h2><table class="matrix"><tr><th>SPEC id</th><th>level</th>{_header(names)}</tr>']
    for spec, row in matrix['rows'].items():
        cells = ''.join(_rule_cell(spec, name, row) for name in names)
        parts.append(
            f'<tr id="{_row_anchor(spec)}"><td class="spec">{escape(spec)}</td>'
            f'<td>{escape(matrix["spec_levels"][spec])}</td>{cells}</tr>'
        )
    totals = counts(matrix)
    parts.append(
        '<tr><td class="spec">totals</td><td></td>'
        + ''.join(f'<td>{escape(", ".join(f"{v} {k}" for k, v in sorted(totals[n].items())))}</td>' for n in names)
        + '</tr>'
    )
    parts.append('</table>')
    return parts


def _rule_cell(spec: str, name: str, row: dict[str, Any]) -> str:
    verdict = row.get(name, {'verdict': '-'})['verdict']
    css = {'n.a.': 'na', '-': 'none'}.get(verdict, verdict)
    linked = verdict in ('FAIL', 'xfail', 'fail') or (verdict == 'STALE' and row[name]['status'] == 'FAIL')
    text = f'<a href="#{_anchor(spec, name)}">{verdict}</a>' if linked else escape(verdict)
    if 'reason' in row.get(name, {}):  # declared not applicable by the adapter
        text += f'<br><small>{escape(row[name]["reason"])}</small>'
    if 'fault' in row.get(name, {}):  # the test crashed its process or was killed for time
        text += f' <b>({escape(row[name]["fault"])})</b>'
    causes = row.get(name, {}).get('likely_from', [])
    if causes:
        links = ' and '.join(f'<a href="#{_row_anchor(c)}">{escape(c)}</a>' for c in causes)
        text += f', likely from {links}: see there'
    return f'<td class="{css}">{text}</td>'


def _failures(matrix: dict[str, Any], names: list[str]) -> list[str]:
    r"""Each failed test of each cell, under the anchor that the cell links to: those of
    foundations first."""

    parts = []
    for spec in reading_order(matrix['rows'], matrix['foundations']):
        row = matrix['rows'][spec]
        for name in names:
            failed = [t for t in row.get(name, {}).get('tests', []) if t['outcome'] in ('failed', 'error')]
            if failed:
                parts.append(f'<div id="{_anchor(spec, name)}">')
                parts += [_failure(spec, name, row[name], test) for test in failed]
                parts.append('</div>')
    return parts


def _level_cell(level) -> str:
    if level is None:
        return '<td class="none">-</td>'
    css = {'n.a.': 'na', '-': 'none'}.get(level['verdict'], level['verdict'])
    return f'<td class="{css}">{escape(level_text(level))}</td>'


def _columns(matrix: dict[str, Any]) -> str:
    items = []
    for c in matrix['columns']:
        facts = ', '.join(f'{k} {c[k]}' for k in ('version', 'profile', 'jax', 'python') if c.get(k))
        seconds = f', {c["seconds"]:.0f} s' if isinstance(c.get('seconds'), (int, float)) else ''
        problem = c.get('load_error') or c.get('crash')
        extra = f' <b>{escape(problem)}</b>' if problem else ''
        items.append(f'<li><b>{escape(c["name"])}</b>: {escape(facts)}{seconds}{extra}</li>')
    return f'<ul class="legend">{"".join(items)}</ul>'


def _anchor(spec: str, name: str) -> str:
    return ''.join(ch if ch.isalnum() else '-' for ch in f'{spec}-{name}')


def _row_anchor(spec: str) -> str:
    return f'rule-{spec}'  # SPEC ids are letters and dashes; unlike _anchor's, no implementation name


def _failure(spec: str, name: str, cell: dict[str, Any], test: dict[str, Any]) -> str:
    notes = {'xfail': f' (expected: {cell.get("expected", "")})', 'fail': ' (feature not claimed)'}
    note = notes.get(cell['verdict'], '') + (f' ({likely_text(cell)})' if 'likely_from' in cell else '')
    parts: list[str] = [
        '<div class="failure">',
        f'<h3>{escape(spec)} on {escape(name)} &mdash; <code>{escape(test["test"].split("::")[-1])}</code>'
        f'{escape(note)}</h3>',
    ]
    if test['outcome'] == 'error' or not test.get('failures'):
        parts.append(f'<pre>{escape((test.get("message") or "")[:2000])}</pre>')
    for failure in test.get('failures', []):
        parts.append(f'<pre>{escape(failure["message"][:2000])}</pre>')
        for argument, value in failure['counterexample'].items():
            if 'graph' in value:
                graph = value['graph']
                summary = f'<p>{escape(summary_text(graph["summary"]))}</p>' if 'summary' in graph else ''
                parts.append(
                    f'<div class="row"><div><b>{escape(argument)}</b><pre>{escape(graph["source"])}</pre>'
                    f'{summary}</div><div>{draw(graph)}</div></div>'
                )
            else:
                parts.append(f'<p><b>{escape(argument)}</b> = <code>{escape(value["repr"])}</code></p>')
    parts.append('</div>')
    return '\n'.join(parts)
