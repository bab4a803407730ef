r"""The conformance matrix as one self-contained HTML page, each counterexample drawn
with :mod:`spec_tests.job.svg`."""

from html import escape
from typing import Any, Dict, List

from .matrix import counts
from .svg import draw

_STYLE = '''
body { font-family: system-ui, sans-serif; margin: 24px; color: #1b2631; }
table.matrix { border-collapse: collapse; font-size: 13px; }
table.matrix th, table.matrix td { border: 1px solid #ccd1d1; padding: 3px 10px; text-align: center; }
table.matrix td.spec { text-align: left; font-family: monospace; }
td.pass { background: #d5f5e3; } td.FAIL { background: #f5b7b1; font-weight: bold; }
td.na { background: #eaeded; color: #566573; } td.none { background: #fdfefe; color: #99a3a4; }
td.FAIL a { color: #922b21; }
.failure { border: 1px solid #e6b0aa; border-radius: 6px; margin: 18px 0; padding: 10px 14px; }
.failure h3 { margin: 0 0 6px 0; font-size: 15px; }
pre { background: #f8f9f9; padding: 8px; white-space: pre-wrap; font-size: 12px; }
.row { display: flex; gap: 18px; align-items: flex-start; flex-wrap: wrap; }
.legend { font-size: 12px; color: #566573; }
'''


def render(matrix: Dict[str, Any], title: str = 'Conformance matrix') -> str:
    r"""The HTML page of ``matrix`` (see :func:`spec_tests.job.matrix.build`)."""

    names = [c['name'] for c in matrix['columns']]
    parts = [
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title>',
        f'<style>{_STYLE}</style></head><body>',
        f'<h1>{escape(title)}</h1>',
        _columns(matrix),
        '<table class="matrix"><tr><th>SPEC id</th>' + ''.join(f'<th>{escape(n)}</th>' for n in names) + '</tr>',
    ]
    for spec, row in matrix['rows'].items():
        cells = []
        for name in names:
            cell = row.get(name, {'status': '-'})
            status = cell['status']
            css = {'pass': 'pass', 'FAIL': 'FAIL', 'n.a.': 'na'}.get(status, 'none')
            text = f'<a href="#{_anchor(spec, name)}">FAIL</a>' if status == 'FAIL' else escape(status)
            cells.append(f'<td class="{css}">{text}</td>')
        parts.append(f'<tr><td class="spec">{escape(spec)}</td>{"".join(cells)}</tr>')
    totals = counts(matrix)
    parts.append('<tr><td class="spec">totals</td>' + ''.join(
        f'<td>{escape(", ".join(f"{v} {k}" for k, v in sorted(totals[n].items())))}</td>' for n in names) + '</tr>')
    parts.append('</table>')
    parts.append('<p class="legend">Edges: solid, an attribute, item or key; dashed, the value of a Reference '
                 '(labelled with its tag); red, on a cycle. The thick box is the root.</p>')
    parts.append('<h2>Failures</h2>')
    for spec, row in matrix['rows'].items():
        for name in names:
            failed = [t for t in row.get(name, {}).get('tests', []) if t['outcome'] in ('failed', 'error')]
            if failed:
                parts.append(f'<div id="{_anchor(spec, name)}">')
                parts += [_failure(spec, name, test) for test in failed]
                parts.append('</div>')
    for name, tests in matrix['untagged_failures'].items():
        parts += [_failure('(no SPEC id)', name, test) for test in tests]
    parts.append('</body></html>')
    return '\n'.join(parts)


def _columns(matrix: Dict[str, Any]) -> str:
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


def _failure(spec: str, name: str, test: Dict[str, Any]) -> str:
    parts: List[str] = [
        '<div class="failure">',
        f'<h3>{escape(spec)} on {escape(name)} &mdash; <code>{escape(test["test"].split("::")[-1])}</code></h3>',
    ]
    if test['outcome'] == 'error' or not test.get('failures'):
        parts.append(f'<pre>{escape((test.get("message") or "")[:2000])}</pre>')
    for failure in test.get('failures', []):
        parts.append(f'<pre>{escape(failure["message"][:2000])}</pre>')
        for argument, value in failure['counterexample'].items():
            if 'graph' in value:
                parts.append(f'<div class="row"><div><b>{escape(argument)}</b><pre>{escape(value["graph"]["source"])}</pre>'
                             f'</div><div>{draw(value["graph"])}</div></div>')
            else:
                parts.append(f'<p><b>{escape(argument)}</b> = <code>{escape(value["repr"])}</code></p>')
    parts.append('</div>')
    return '\n'.join(parts)
