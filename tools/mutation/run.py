r"""Mutation testing of the reference ``inox/`` with the conformance suite (mutmut 3).

Usage, from the repository root, with mutmut installed next to the suite:

    python tools/mutation/run.py                      # every mutant without a result yet
    python tools/mutation/run.py --changed-since REF  # the files of inox/ changed since REF
    python tools/mutation/run.py --survivors          # again, the mutants that were not killed
    python tools/mutation/run.py --report-only        # only write the report

mutmut's settings are ``[tool.mutmut]`` in pyproject.toml; its results stay in
``mutants/`` between runs, and a plain run tests only the mutants without a result (mutmut
itself drops the results of the functions that changed). The verdicts are also kept in
``tools/mutation/results.json``, which is committed: a fresh checkout starts from them
(mutmut keeps a verdict only where the function's hash is unchanged), so a run that takes
longer than one sitting goes on in the next. Every run saves them when it ends; ``--save``
saves them from another shell while a run goes on. ``--changed-since`` and
``--survivors`` re-test their mutants even when they have a result, so that a sharper
suite is measured again. Every run ends with the whole suite, in a fresh process, against
each mutant that mutmut did not kill and that is not listed as equivalent (see
:func:`_confirm`). The report, ``mutants/report.md`` (and ``.json``), lists every
mutant: its status, its diff and, when killed, the first failing test with its SPEC ids.
The survivors listed in ``tools/mutation/equivalent.toml`` count as equivalent.
"""

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENT = ROOT / 'tools' / 'mutation' / 'equivalent.toml'
RESULTS = ROOT / 'tools' / 'mutation' / 'results.json'
EXCLUDED = ('inox/tests/', 'inox/examples/', 'inox/conftest.py')
#: Seconds of one whole-suite run against a mutant: the suite takes about 70 s on 2 cores.
TIMEOUT = 1200


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or '').split('\n\n')[0])
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        '--changed-since', metavar='REF', help='only the mutants of the files of inox/ that differ from REF'
    )
    what.add_argument('--survivors', action='store_true', help='re-test the mutants that were not killed')
    what.add_argument('--report-only', action='store_true', help='write the report of the results so far')
    what.add_argument('--save', action='store_true', help=f'save the verdicts so far into {RESULTS.relative_to(ROOT)}')
    what.add_argument('mutants', nargs='*', default=[], help='mutant names or globs (as mutmut run takes them)')
    parser.add_argument('--max-children', type=int, default=os.cpu_count(), help='mutants tested at once')
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    # The ci examples without shrinking (spec_tests/runner/profiles.py), for mutmut's children
    # and the confirmation pass alike: a verdict needs only whether a property fails.
    os.environ.setdefault('INOX_HYPOTHESIS_PROFILE', 'mutation')
    if args.save:
        return _save()
    _restore()

    if not args.report_only:
        names = list(args.mutants)
        if args.changed_since:
            names = [f'{_module(path)}.x*' for path in _changed_files(args.changed_since)]
            if not names:
                print(f'no file of inox/ changed since {args.changed_since}')
        elif args.survivors:
            names = [name for name, (status, _) in _results().items() if status != 'killed']
        if names or not (args.changed_since or args.survivors):
            code = _mutmut_run(names, args.max_children)
            _save()
            if code:
                return code
        _confirm(args.max_children)
        _save()

    return _report()


def _changed_files(ref: str) -> list[str]:
    tracked = _git('diff', '--name-only', ref, '--', 'inox/')
    new = _git('ls-files', '--others', '--exclude-standard', '--', 'inox/')
    return sorted(
        p for p in set(tracked + new) if p.endswith('.py') and not p.startswith(EXCLUDED) and (ROOT / p).exists()
    )


def _git(*args: str) -> list[str]:
    return subprocess.run(['git', *args], check=True, capture_output=True, text=True).stdout.split()


def _module(path: str) -> str:
    return path.removesuffix('.py').removesuffix('/__init__').replace('/', '.')


def _mutmut_run(names: list[str], max_children: int) -> int:
    # spec_tests runs one property in a `python -O` child whose working directory is
    # the temporary folder; during mutmut's coverage run that child's mutmut reads
    # [tool.mutmut] from its working directory, so the temporary folder gets a copy.
    tmp = ROOT / 'mutants' / 'tmp'
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / 'pyproject.toml').write_text((ROOT / 'pyproject.toml').read_text())
    env = dict(os.environ, TMPDIR=str(tmp))
    # mutmut's own script, not `python -m mutmut`, which mutmut warns may import itself twice.
    command = [str(Path(sys.executable).with_name('mutmut')), 'run', '--max-children', str(max_children), *names]
    return subprocess.run(_own_pid_namespace(command), env=env).returncode


def _own_pid_namespace(command: list[str]) -> list[str]:
    r"""``command`` in a process id namespace of its own, where Linux allows one.

    mutmut 3.8.1 sends SIGXCPU to a finished mutant's process id when its deadline
    passes; on a busy machine that id may belong to another process by then. In a new
    namespace the ids count up from 1 and are not reused before millions of processes,
    so only mutmut's own finished children could be hit, and none is.
    """

    unshare = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child']
    probe = subprocess.run([*unshare, 'true'], capture_output=True) if shutil.which('unshare') else None
    if probe is None or probe.returncode:
        print('warning: no pid namespace (unshare failed): run mutmut on a machine of its own', file=sys.stderr)
        return command
    return [*unshare, *command]


def _restore() -> None:
    r"""Seeds ``mutants/`` with the saved verdicts of the files it has no results for.

    mutmut reads a file's ``.meta`` when it generates the file's mutants, and keeps the
    verdict of every mutant whose function has the hash it had then.
    """

    if not RESULTS.exists():
        return
    saved = json.loads(RESULTS.read_text())
    out = ROOT / 'mutants'
    for path, verdicts in saved['files'].items():
        meta = out / (path + '.meta')
        if not meta.exists():
            meta.parent.mkdir(parents=True, exist_ok=True)
            meta.write_text(
                json.dumps(
                    {
                        'exit_code_by_key': verdicts['exit_code_by_key'],
                        'hash_by_function_name': verdicts['hash_by_function_name'],
                        'type_check_error_by_key': {},
                        'durations_by_key': {},
                        'estimated_durations_by_key': {},
                    },
                    indent=1,
                )
            )
    failures = out / 'first_failures.jsonl'
    if not failures.exists():
        failures.write_text(''.join(json.dumps(entry) + '\n' for entry in saved['first_failures']))
    confirmed = out / 'confirmed.json'
    if not confirmed.exists():
        confirmed.write_text(json.dumps(saved['confirmed'], indent=1))


def _save() -> int:
    r"""Writes the verdicts of ``mutants/`` (mutmut's, the first failures, the
    confirmation pass's) into :data:`RESULTS`, the mutants without a verdict left out."""

    import mutmut

    files = {}
    for meta in sorted((ROOT / 'mutants').glob('inox/**/*.py.meta')):
        data = json.loads(meta.read_text())
        files[str(meta.relative_to(ROOT / 'mutants')).removesuffix('.meta')] = {
            'hash_by_function_name': data['hash_by_function_name'],
            'exit_code_by_key': {k: v for k, v in sorted(data['exit_code_by_key'].items()) if v is not None},
        }
    first = [{**entry, 'error': entry['error'].split('\n')[0][:200]} for _, entry in sorted(_first_failures().items())]
    confirmed_path = ROOT / 'mutants' / 'confirmed.json'
    confirmed = json.loads(confirmed_path.read_text()) if confirmed_path.exists() else {}
    saved = {'tool': f'mutmut {mutmut.__version__}', 'files': files, 'first_failures': first, 'confirmed': confirmed}
    RESULTS.write_text(json.dumps(saved, indent=1, sort_keys=True) + '\n')
    verdicts = sum(len(f['exit_code_by_key']) for f in files.values())
    print(f'saved {verdicts} verdicts of {len(files)} files into {RESULTS.relative_to(ROOT)}')
    return 0


def _confirm(max_children: int) -> None:
    r"""Runs the whole suite, in a fresh process, against every mutant that mutmut
    saw survive or that no test reached, unless it is listed as equivalent.

    mutmut runs only the tests whose run reached the mutated function, in a process
    that imported inox before the mutant was chosen: code that runs at import (class
    registration) is never mutated there, and the tests that rely on it are not chosen.
    This pass gives those mutants the suite's full power.
    """

    from concurrent.futures import ThreadPoolExecutor

    equivalent = tomllib.loads(EQUIVALENT.read_text()) if EQUIVALENT.exists() else {}
    names = [n for n, (status, _) in _results().items() if status in ('survived', 'no tests') and n not in equivalent]
    config = tomllib.loads((ROOT / 'pyproject.toml').read_text())['tool']['mutmut']
    command = [
        sys.executable,
        '-m',
        'pytest',
        '-x',
        '-q',
        *config['pytest_add_cli_args_test_selection'],
        *config['pytest_add_cli_args'],
    ]

    def run(name):
        env = dict(os.environ, MUTANT_UNDER_TEST=name, TMPDIR=str(ROOT / 'mutants' / 'tmp'))
        try:
            code = subprocess.run(
                command, cwd=ROOT / 'mutants', env=env, capture_output=True, timeout=TIMEOUT
            ).returncode
        except subprocess.TimeoutExpired:
            code = 'timeout'
        return name, code

    print(f'the whole suite against {len(names)} mutants that mutmut did not kill')
    with ThreadPoolExecutor(max_children) as pool:
        verdicts = dict(pool.map(run, names))
    (ROOT / 'mutants' / 'confirmed.json').write_text(json.dumps(verdicts, indent=1))


def _results() -> dict:
    r"""Every mutant's ``(status, source path)``, as mutmut recorded them."""

    # Where mutmut 3.8.1's own entry point has them, not its public API.
    from mutmut.__main__ import (
        SourceFileMutationData,  # pyright: ignore[reportPrivateImportUsage]
        status_by_exit_code,  # pyright: ignore[reportPrivateImportUsage]
        walk_mutatable_files,  # pyright: ignore[reportPrivateImportUsage]
    )

    results = {}
    for path in walk_mutatable_files():
        data = SourceFileMutationData(path=path)
        data.load()
        for name, code in data.exit_code_by_key.items():
            results[name] = (status_by_exit_code[code], path)
    return results


def _first_failures() -> dict:
    failures = {}
    path = ROOT / 'mutants' / 'first_failures.jsonl'
    if path.exists():
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            failures[entry['mutant']] = entry  # the latest run of a mutant wins
    return failures


def _line(name: str, diff: str) -> str:
    r"""``file:line`` of the first line that the mutant changes."""

    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    module, _, _ = name.rpartition('.')
    path = module.replace('.', '/') + '.py'
    if not (ROOT / path).exists():
        path = module.replace('.', '/') + '/__init__.py'
    function, cls = orig_function_and_class_names_from_key(name)
    function = function.rpartition('.')[-1]
    start = None
    for node in ast.walk(ast.parse((ROOT / path).read_text())):
        if isinstance(node, ast.ClassDef) and node.name == cls or cls is None and isinstance(node, ast.Module):
            for child in node.body:
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name == function:
                    start = min([child.lineno] + [d.lineno for d in child.decorator_list])
    if start is None:
        return path
    # The diff is of the function alone, from its first decorator: count its lines.
    offset = 0
    for row in diff.splitlines():
        if row.startswith('@@'):
            hunk = re.match(r'@@ -(\d+)', row)
            assert hunk, row
            offset = int(hunk.group(1)) - 1
        elif row.startswith(('---', '+++')):
            continue
        elif row.startswith('-'):
            return f'{path}:{start + offset}'
        elif row.startswith(' '):
            offset += 1
        elif row.startswith('+'):
            return f'{path}:{start + offset}'
    return path


def _report() -> int:
    import mutmut
    from mutmut.__main__ import get_diff_for_mutant  # pyright: ignore[reportPrivateImportUsage]

    results = _results()
    failures = _first_failures()
    verdicts = ROOT / 'mutants' / 'confirmed.json'
    confirmed = json.loads(verdicts.read_text()) if verdicts.exists() else {}
    equivalent = tomllib.loads(EQUIVALENT.read_text()) if EQUIVALENT.exists() else {}
    mutants = []
    for name, (status, path) in sorted(results.items()):
        diff = get_diff_for_mutant(name, path=path)
        if status in ('survived', 'no tests') and name in equivalent:
            status = 'equivalent'
        elif status in ('survived', 'no tests') and name in confirmed:
            status = {0: 'survived', 1: 'killed', 'timeout': 'timeout'}.get(confirmed[name], 'suspicious')
        entry = {'mutant': name, 'status': status, 'where': _line(name, diff), 'diff': diff}
        if status == 'killed' and name in failures:
            entry.update({k: failures[name][k] for k in ('test', 'spec', 'error')})
        mutants.append(entry)

    counts = {}
    for m in mutants:
        counts[m['status']] = counts.get(m['status'], 0) + 1
    stale = sorted(name for name in equivalent if results.get(name, ('gone',))[0] not in ('survived', 'no tests'))
    non_equivalent = len(mutants) - counts.get('equivalent', 0)
    killed = counts.get('killed', 0)
    # A timeout is a mutant the suite noticed only by its time: reported apart, and
    # as a kill only in the second rate (the reference never times out).
    summary = {
        'tool': f'mutmut {mutmut.__version__}',
        'mutants': len(mutants),
        **counts,
        'kill_rate_of_non_equivalent': round(killed / non_equivalent, 4) if non_equivalent else 1.0,
        'kill_or_timeout_rate_of_non_equivalent': round((killed + counts.get('timeout', 0)) / non_equivalent, 4)
        if non_equivalent
        else 1.0,
        'stale_equivalent_entries': stale,
    }

    out = ROOT / 'mutants'
    (out / 'report.json').write_text(json.dumps({'summary': summary, 'mutants': mutants}, indent=1))
    lines = ['# Mutation report of inox/ against spec_tests', '']
    lines += [f'- {k}: {v}' for k, v in summary.items()]
    order = ['survived', 'timeout', 'suspicious', 'segfault', 'no tests', 'not checked', 'equivalent', 'killed']
    for m in sorted(mutants, key=lambda m: (order.index(m['status']) if m['status'] in order else 0, m['mutant'])):
        lines += ['', f'## {m["status"]}: `{m["mutant"]}` ({m["where"]})', '']
        if m['status'] == 'equivalent':
            lines += [f'Equivalent: {equivalent[m["mutant"]]}', '']
        if 'test' in m:
            error = m['error'].splitlines()[0] if m['error'] else ''
            lines += [f'First failing: `{m["test"]}` (SPEC {", ".join(m["spec"]) or "-"}): {error}', '']
        lines += ['```diff', m['diff'], '```']
    (out / 'report.md').write_text('\n'.join(lines) + '\n')
    print(json.dumps(summary, indent=1))
    print(f'report: {out / "report.md"}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
