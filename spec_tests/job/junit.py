r"""The conformance matrix as JUnit XML, for CI systems that show test results: one
``testsuite`` per implementation, one ``testcase`` per SPEC id.

A ``FAIL`` or ``STALE`` cell is a ``failure`` (with the counterexample), a crashed run's
cell an ``error``; an expected failure, a failure of an unclaimed feature and a rule
that does not apply are ``skipped`` with the reason; the others pass. The message of a
failure that likely follows from a failing foundation of SPEC.md names it.

Example:
    >>> from spec_tests.job.matrix import build
    >>> report = {'name': 'x', 'spec_ids': ['A'], 'spec_features': {'A': None}, 'results': [
    ...     {'test': 't::f', 'spec': ['A'], 'outcome': 'failed',
    ...      'failures': [{'message': 'boom', 'counterexample': {}}]}]}
    >>> print(render(build([report])))  # doctest: +ELLIPSIS
    <?xml version='1.0' encoding='utf-8'?>
    <testsuites name="conformance" tests="1" failures="1" errors="0" skipped="0">
    <testsuite name="x" tests="1" failures="1" errors="0" skipped="0">
    <testcase classname="conformance.x.core" name="A">
    <failure message="A (core) fails: boom">=== t::f
      boom</failure>
    ...
"""

from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .matrix import failure_lines, likely_text


def render(matrix: dict[str, Any]) -> str:
    r"""The XML text of ``matrix`` (see :func:`spec_tests.job.matrix.build`)."""

    suites: list[list[str]] = []
    totals = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    for column in matrix['columns']:
        name = column['name']
        cases, found = [], {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
        for spec, row in matrix['rows'].items():
            level = matrix['spec_levels'][spec]
            kind, message, text = _outcome(spec, level, row[name], column)
            found['tests'] += 1
            if kind:
                found[{'failure': 'failures', 'error': 'errors', 'skipped': 'skipped'}[kind]] += 1
            body = f'<{kind} message={quoteattr(message)}>{escape(text)}</{kind}>' if kind else ''
            cases.append(
                f'<testcase classname={quoteattr(f"conformance.{name}.{level}")} '
                f'name={quoteattr(spec)}>\n{body}\n</testcase>'
                if body
                else f'<testcase classname={quoteattr(f"conformance.{name}.{level}")} name={quoteattr(spec)}/>'
            )
        totals = {k: totals[k] + found[k] for k in totals}
        suites.append([f'<testsuite name={quoteattr(name)} {_counts(found)}>'] + cases + ['</testsuite>'])
    lines = ["<?xml version='1.0' encoding='utf-8'?>", f'<testsuites name="conformance" {_counts(totals)}>']
    for suite in suites:
        lines += suite
    lines.append('</testsuites>')
    return '\n'.join(lines) + '\n'


def _counts(found: dict[str, int]) -> str:
    return ' '.join(f'{k}="{v}"' for k, v in found.items())


def _outcome(spec: str, level: str, cell: dict[str, Any], column: dict[str, Any]):
    r"""``(element, message, text)`` of one cell; no element for a pass."""

    verdict = cell['verdict']
    failed = [t for t in cell.get('tests', []) if t['outcome'] in ('failed', 'error')]
    details = '\n'.join(line for t in failed for line in [f'=== {t["test"]}'] + failure_lines(t))
    first = next((line.strip() for line in details.splitlines()[1:] if line.strip()), '')
    likely = f' ({likely_text(cell)})' if 'likely_from' in cell else ''
    if verdict == 'FAIL':
        return 'failure', f'{spec} ({level}) fails{likely}: {first}', details
    if verdict == 'STALE':
        return 'failure', f'{spec} is an expected failure ({cell["expected"]}) but is {cell["status"]}', details
    if verdict == '-':
        return 'error', column.get('load_error') or column.get('crash') or 'no test ran', ''
    if verdict == 'xfail':
        return 'skipped', f'expected failure: {cell["expected"]}{likely}', details
    if verdict == 'fail':
        return 'skipped', f'fails, but the feature {level} is not claimed{likely}: {first}', details
    if verdict == 'n.a.':
        return 'skipped', f'not applicable: {cell.get("reason", "")}', ''
    return None, '', ''
