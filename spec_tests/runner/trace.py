r"""The traceability of SPEC.md: every MUST traced to the assertion that checks it.

``spec_tests/trace.toml`` lists, for each clause of a rule that says MUST or MUST NOT (a
quote of the clause), the checks of it: a property (``file.py::test``), a quote of its
assertion (in the property or in a function of the suite it calls) and the input classes
(:mod:`spec_tests.graphs.classes`) that make the clause observable. ``selftests/test_trace.py``
fails when a MUST has no check, a check no property, a quote no match, or when the ``ci``
examples of a property miss one of its classes. ``python -m spec_tests.runner.trace``
prints the table.

Example:
    >>> sentences('A MUST hold. B is fine (see `x.y`). C MUST NOT break.')
    ['A MUST hold.', 'B is fine (see `x.y`).', 'C MUST NOT break.']
    >>> uncovered('A MUST hold and B MUST too.', ['A MUST hold'])
    ['B MUST too.']
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib

from .harness import SPEC_MD

TRACE_TOML = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'trace.toml')

_RULE = re.compile(
    r'^\*\*([A-Z]+(?:-[A-Z]+)+)\*\*(?: \(feature: [a-z]+\))? — (.*?)(?:\n\n|\Z)', re.MULTILINE | re.DOTALL
)
_MUST = re.compile(r'\bMUST(?: NOT)?\b')


class TraceError(ValueError):
    r"""Raised when ``trace.toml`` is malformed; the message names the entry."""


@dataclasses.dataclass(frozen=True)
class Check:
    r"""One check of a clause.

    Attributes:
        test: The property, as ``file.py::name``.
        asserts: A quote of the assertion (whitespace is not significant).
        inputs: The input classes that make the clause observable to this check.
    """

    test: str
    asserts: str
    inputs: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Clause:
    r"""A requirement of SPEC.md: a quote of one sentence of a rule, with its checks."""

    rule: str
    must: str
    checks: tuple[Check, ...]


def normalized(text: str) -> str:
    r"""``text`` with every run of whitespace as one space."""

    return ' '.join(text.split())


def sentences(text: str) -> list[str]:
    r"""The sentences of a paragraph: a period ends one where a capital, a backquote or
    a parenthesis starts the next."""

    return re.split(r'(?<=\.)\s+(?=[A-Z`(])', normalized(text))


def rules() -> dict[str, list[str]]:
    r"""The sentences of each rule of SPEC.md, by id."""

    with open(SPEC_MD, encoding='utf-8') as f:
        return {spec: sentences(body) for spec, body in _RULE.findall(f.read())}


def uncovered(sentence: str, quotes: list[str]) -> list[str]:
    r"""The parts of ``sentence`` that start at a MUST that no quote covers (each up to
    the next MUST or the end)."""

    spans = []
    for quote in quotes:
        at = sentence.find(quote)
        if at >= 0:
            spans.append((at, at + len(quote)))
    starts = [m.start() for m in _MUST.finditer(sentence)]
    missed = []
    for n, start in enumerate(starts):
        if not any(a <= start < b for a, b in spans):
            # from the word before the MUST: the subject, for a readable report
            begin = sentence.rfind(' ', 0, max(sentence.rfind(' ', 0, start), 0)) + 1
            end = starts[n + 1] if n + 1 < len(starts) else len(sentence)
            missed.append(sentence[begin:end].strip())
    return missed


def load(path: str = TRACE_TOML) -> list[Clause]:
    r"""The clauses of ``trace.toml``; an input named in its table ``[aliases]`` stands for
    the classes it lists.

    Raises:
        TraceError: If an entry lacks a field or has one of the wrong type.
    """

    with open(path, 'rb') as f:
        data = tomllib.load(f)
    aliases = data.get('aliases', {})

    def inputs(names: list[str]) -> tuple[str, ...]:
        expanded = [c for name in names for c in aliases.get(name, [name])]
        return tuple(dict.fromkeys(expanded))

    clauses = []
    for n, entry in enumerate(data.get('clause', [])):
        try:
            checks = tuple(
                Check(str(c['test']), normalized(str(c['asserts'])), inputs(c.get('inputs', [])))
                for c in entry['checks']
            )
            clauses.append(Clause(str(entry['rule']), normalized(str(entry['must'])), checks))
        except (KeyError, TypeError) as error:
            raise TraceError(f'{path}: clause {n + 1} ({entry.get("rule", "?")}): missing or bad {error}') from None
    return clauses


def table(clauses: list[Clause]) -> str:
    r"""The traceability table in Markdown: one row per check."""

    rows = ['| rule | clause | check | asserts | input classes |', '| --- | --- | --- | --- | --- |']
    for clause in clauses:
        for check in clause.checks:
            cells = (clause.rule, clause.must, check.test, f'`{check.asserts}`', ', '.join(check.inputs) or '-')
            rows.append('| ' + ' | '.join(cell.replace('|', '\\|') for cell in cells) + ' |')
    return '\n'.join(rows)


if __name__ == '__main__':
    print(table(load()))
