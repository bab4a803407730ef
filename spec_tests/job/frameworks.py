r"""The README's section "Weight tying across JAX frameworks", written from the job's JSON.

Usage: ``python -m spec_tests.job.frameworks [--json PATH] [--readme PATH]``, after the
main job (``./bazelw run //:conformance``): it replaces the text between the section's two
markers in README.md with the matrix of the frameworks' columns (those of the catalogue's
``FRAMEWORKS``) beside the reference's, and one line per finding: each rule a framework
fails, with the reason of its expected result, and each rule it declares not applicable,
with the adapter's reason. Nothing in the section is written by hand, so it says what the
last run saw.

Example:
    >>> matrix = {
    ...     'columns': [{'name': 'reference', 'version': '1'}, {'name': 'nnx', 'version': '2'}],
    ...     'spec_levels': {'A': 'core', 'B': 'tags'},
    ...     'rows': {
    ...         'A': {'reference': {'verdict': 'pass'}, 'nnx': {'verdict': 'xfail', 'expected': 'no ties'}},
    ...         'B': {'reference': {'verdict': 'pass'}, 'nnx': {'verdict': 'n.a.', 'reason': 'no tags'}},
    ...     },
    ... }
    >>> print(section(matrix, ['nnx'], 'ci'))  # doctest: +NORMALIZE_WHITESPACE
    | SPEC id (level) | reference 1 | nnx 2 |
    | --- | --- | --- |
    | A (core) | pass | **fails** |
    | B (tags) | pass | n.a. |
    <BLANKLINE>
    Findings (profile ci):
    <BLANKLINE>
    - **nnx**, A: no ties.
    - **nnx**, B, not applicable: no tags.
"""

import argparse
import json
import re
import sys
from typing import Any

from spec_tests.adapters import frameworks

BEGIN = '<!-- frameworks: begin (python -m spec_tests.job.frameworks writes this part) -->'
END = '<!-- frameworks: end -->'

# How a cell reads in the README: whether the framework keeps the rule.
_SHOWN = {'pass': 'pass', 'FAIL': '**fails**', 'xfail': '**fails**', 'fail': 'fails (not claimed)', 'n.a.': 'n.a.'}


def section(matrix: dict[str, Any], names: list[str], profile: str) -> str:
    r"""The section's generated text: the matrix of the reference and the frameworks
    ``names`` that the job ran, then the findings."""

    shown = [c for c in matrix['columns'] if c['name'] == 'reference' or c['name'] in names]
    titles = [f'{c["name"]} {c.get("version", "")}'.strip() for c in shown]
    lines = [f'| SPEC id (level) | {" | ".join(titles)} |', '| --- |' + ' --- |' * len(shown)]
    for spec, row in matrix['rows'].items():
        cells = [_SHOWN.get(row.get(c['name'], {}).get('verdict', '-'), '-') for c in shown]
        lines.append(f'| {spec} ({matrix["spec_levels"][spec]}) | {" | ".join(cells)} |')
    lines += ['', f'Findings (profile {profile}):', '']
    for column in (c for c in shown if c['name'] != 'reference'):
        for spec, row in matrix['rows'].items():
            cell = row.get(column['name'], {})
            if cell.get('verdict') in ('FAIL', 'xfail', 'fail'):
                why = cell.get('expected') or _first_message(cell)
                lines.append(f'- **{column["name"]}**, {spec}: {why.rstrip(".")}.')
            elif cell.get('verdict') == 'n.a.':
                lines.append(f'- **{column["name"]}**, {spec}, not applicable: {cell["reason"].rstrip(".")}.')
    return '\n'.join(lines)


def _first_message(cell: dict[str, Any]) -> str:
    r"""The first line of the first failure of a cell that no expected result explains."""

    for test in cell.get('tests', []):
        for failure in test.get('failures', []):
            return failure['message'].splitlines()[0]
    return 'fails'


def rewrite(readme: str, generated: str) -> str:
    r"""``readme`` with the text between the markers replaced by ``generated``.

    Example:
        >>> rewrite(f'a\n{BEGIN}\nold\n{END}\nb', 'new')  # doctest: +ELLIPSIS
        'a\n<!-- frameworks: begin ... -->\nnew\n<!-- frameworks: end -->\nb'
    """

    pattern = re.compile(re.escape(BEGIN) + r'\n.*?' + re.escape(END), flags=re.DOTALL)
    if not pattern.search(readme):
        raise ValueError(f'the README has no section between {BEGIN!r} and {END!r}')
    return pattern.sub(lambda _: f'{BEGIN}\n{generated}\n{END}', readme)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog='python -m spec_tests.job.frameworks', description=(__doc__ or '').splitlines()[0]
    )
    parser.add_argument('--json', default='conformance-report/conformance.json', help='the job\'s JSON matrix')
    parser.add_argument('--readme', default='README.md', help='the README to rewrite')
    options = parser.parse_args(argv)
    with open(options.json) as f:
        built = json.load(f)
    names = [framework['name'] for framework in frameworks()]
    missing = [n for n in names if n not in {c['name'] for c in built['columns']}]
    if missing:
        print(f'error: {options.json} has no column {", ".join(missing)}: run the job on them', file=sys.stderr)
        return 2
    profiles = sorted({c.get('profile', '') for c in built['columns']} - {''})
    with open(options.readme) as f:
        text = rewrite(f.read(), section(built, names, ', '.join(profiles) or 'unknown'))
    with open(options.readme, 'w') as f:
        f.write(text)
    print(f'wrote the frameworks section of {options.readme} from {options.json}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
