r"""Mutation testing of ``inox/`` with the conformance suite (mutmut 3): the reference, and
the fast implementation ``inox/fast/``, whose mutants the suite tests as ``--impl=fast``
(the plugin :mod:`tools.mutation.implementation`).

Usage, from the repository root, with mutmut installed next to the suite:

    python tools/mutation/run.py                      # every mutant without a result yet
    python tools/mutation/run.py --changed-since REF  # the files of inox/ changed since REF
    python tools/mutation/run.py --survivors          # again, the mutants that were not killed
    python tools/mutation/run.py --report-only        # only write the report
    python tools/mutation/run.py --profile ci --sample 40 --seed 1  # 40 mutants under ci
    python tools/mutation/run.py --sample 40 --only inox/fast        # 40 mutants of inox/fast

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

``--profile`` names the suite's hypothesis profile (``INOX_HYPOTHESIS_PROFILE``) of mutmut's
children and of the confirmation pass: ``mutation`` by default, ``ci`` to measure what people
run. The verdicts are kept per profile: the top level of ``results.json`` holds the
``mutation`` profile's, as before, and ``profiles`` the others'. ``mutants/`` holds one
profile's at a time (``mutants/profile``); a run under another profile first saves them and
loads its own. ``--sample N --seed S`` re-tests N mutants drawn at random, with seed S, from
those of the current ``inox/`` not listed as equivalent: the same seed and the same source
draw the same mutants, so several profiles can be measured on one sample. Every run appends
its profile, commit, mutants and wall time to ``runs`` in ``results.json``; the report shows
each profile's score on the mutants that all of them have a verdict for, and lists the
mutants whose verdicts differ.
"""

import argparse
import ast
import difflib
import fnmatch
import hashlib
import importlib.machinery
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENT = ROOT / 'tools' / 'mutation' / 'equivalent.toml'
RESULTS = ROOT / 'tools' / 'mutation' / 'results.json'
#: The suite's hypothesis profiles (spec_tests/runner/profiles.py) a run may use.
PROFILES = ('ci', 'mutation', 'extended', 'thorough')
#: The profile whose verdicts are the top level of results.json (the only one before profiles).
DEFAULT_PROFILE = 'mutation'
#: The profile of the verdicts that ``mutants/`` holds now.
MARKER = ROOT / 'mutants' / 'profile'
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
    what.add_argument(
        '--sample', type=int, metavar='N', help='re-test N mutants drawn at random (with --seed) from the current inox/'
    )
    parser.add_argument(
        '--entries',
        action='store_true',
        help='print the diff and the equivalent.toml entry of each mutant named (for review); test nothing',
    )
    what.add_argument('mutants', nargs='*', default=[], help='mutant names or globs (as mutmut run takes them)')
    parser.add_argument('--seed', type=int, default=0, help='the seed of --sample (default 0)')
    parser.add_argument(
        '--only', metavar='PATH', help='with --sample or a plain run: only the mutants of the files under PATH'
    )
    parser.add_argument(
        '--profile',
        choices=PROFILES,
        default=DEFAULT_PROFILE,
        help=f'the hypothesis profile of the suite (default {DEFAULT_PROFILE}: the ci examples without shrinking)',
    )
    parser.add_argument('--max-children', type=int, default=os.cpu_count(), help='mutants tested at once')
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    if args.entries:
        return _print_entries(args.mutants)
    compiled = compiled_modules(ROOT / 'inox')
    if compiled and not (args.save or args.report_only):
        # mutmut copies inox/ as it is: Python would import these, not the mutated sources.
        parser.error(f'compiled modules in inox/ would hide the mutants of their sources; remove {", ".join(compiled)}')
    if args.save:
        return _save(_held_profile() or DEFAULT_PROFILE)
    # For mutmut's children and the confirmation pass alike. `mutation` runs the ci examples
    # without shrinking (spec_tests/runner/profiles.py): a verdict needs only whether a
    # property fails, so its verdicts are ci's but for mutants that time out while shrinking.
    os.environ['INOX_HYPOTHESIS_PROFILE'] = args.profile
    _use(args.profile)
    # Once per run: mutmut mutates a copy of inox/ (mutants/), so its sources stay as they are.
    equivalent, changed = equivalents()

    if not args.report_only:
        start = time.monotonic()
        names = list(args.mutants)
        if args.changed_since:
            names = [f'{_module(path)}.x*' for path in _changed_files(args.changed_since)]
            if not names:
                print(f'no file of inox/ changed since {args.changed_since}')
        elif args.survivors:
            names = [name for name, (status, _) in _results().items() if status != 'killed']
        elif args.sample is not None:
            mutants = [n for n in _all_mutants() if n not in equivalent and under(n, args.only)]
            names = sample(mutants, args.sample, args.seed)
            print(f'sample of {len(names)} mutants, seed {args.seed}:', *names, sep='\n  ')
        elif args.only:
            names = [f'{_module(args.only.rstrip("/"))}.*']
        if names or not (args.changed_since or args.survivors or args.sample is not None):
            code = _mutmut_run(names, args.max_children)
            _save(args.profile)
            if code:
                return code
        chosen = args.sample is not None or args.mutants or args.only
        _confirm(args.max_children, equivalent, names if chosen else None)
        run = {
            'profile': args.profile,
            'date': datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ'),
            'commit': _commit(),
            'mutants': names if chosen else len(names) or 'all without a verdict',
            'sample': {'size': args.sample, 'seed': args.seed} if args.sample is not None else None,
            'wall_s': round(time.monotonic() - start),
        }
        _save(args.profile, run)

    return _report(equivalent, changed)


def compiled_modules(folder: Path) -> list[str]:
    r"""The extension modules under ``folder`` (as ``cythonize -i inox/fast/walk.py`` leaves
    one), by path from the folder that holds ``folder``."""

    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    return sorted(str(path.relative_to(folder.parent)) for path in folder.rglob('*') if path.name.endswith(suffixes))


def sample(names: Iterable[str], size: int, seed: int) -> list[str]:
    r"""``size`` of ``names`` drawn at random with ``seed``, sorted: the same for the same
    names in any order, on every machine and Python version (``random.Random`` with an
    integer seed)."""

    population = sorted(set(names))
    return sorted(random.Random(seed).sample(population, min(size, len(population))))


def under(mutant: str, path: str | None) -> bool:
    r"""Whether ``mutant`` mutates a file under ``path`` (a folder or file of ``inox/``;
    ``None``: all of them).

    >>> under('inox.fast.walk.x__walk__mutmut_3', 'inox/fast'), under('inox.fastest.x_f__mutmut_1', 'inox/fast/')
    (True, False)
    """

    return path is None or mutant.startswith(_module(path.rstrip('/')) + '.')


def _all_mutants() -> list[str]:
    r"""The names of every mutant of the current ``inox/``, as ``mutmut run`` names them."""

    from mutmut.mutation.file_mutation import mutate_file_contents
    from mutmut.utils.file_utils import walk_mutatable_files
    from mutmut.utils.format_utils import get_mutant_name

    names = []
    for path in walk_mutatable_files():
        names += [get_mutant_name(path, n) for n in mutate_file_contents(str(path), path.read_text()).mutant_names]
    return names


def change_of(original: str, mutant: str) -> str:
    r"""The change that a mutant makes to its function, as a short digest: of their diff
    with three lines of context, without its line numbers, so that the digest stays the
    same while the function moves or changes away from the mutated line, and another
    mutation of the same number gets another.

    >>> f = 'def f(x):\n    a = 1\n    b = 2\n    c = 3\n    d = 4\n    return x + 1\n'
    >>> edited = f.replace('a = 1', 'a = 0')  # four lines above the mutated one
    >>> change_of(f, f.replace('+', '-')) == change_of(edited, edited.replace('+', '-'))
    True
    >>> change_of(f, f.replace('+', '-')) == change_of(f, f.replace('+', '*'))
    False
    """

    rows = difflib.unified_diff(original.splitlines(), mutant.splitlines(), lineterm='')
    diff = '\n'.join(row for row in rows if not row.startswith(('---', '+++', '@@')))
    return hashlib.sha256(diff.encode()).hexdigest()[:12]


def mutated_functions(path: str, source: str | None = None) -> dict[str, tuple[str, str]]:
    r"""The original and the mutated text of the function of each mutant of the file ``path``
    of ``inox/`` (with ``source`` as its text, if given), by mutant name, as mutmut mutates
    it; the mutated one under the original's name, so that only the mutation differs."""

    from mutmut.mutation.file_mutation import mutate_file_contents
    from mutmut.utils.format_utils import get_mutant_name

    text = (ROOT / path).read_text() if source is None else source
    mutated = mutate_file_contents(path, text)
    functions = {
        node.name: ast.get_source_segment(mutated.code, node) or ''
        for node in ast.walk(ast.parse(mutated.code))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and '__mutmut_' in node.name
    }
    found = {}
    for short in mutated.mutant_names:
        original = short.rpartition('__mutmut_')[0] + '__mutmut_orig'
        found[get_mutant_name(Path(path), short)] = (functions[original], functions[short].replace(short, original, 1))
    return found


def changes(path: str, source: str | None = None) -> dict[str, str]:
    r"""The change (:func:`change_of`) of each mutant of the file ``path`` of ``inox/`` (with
    ``source`` as its text, if given), by mutant name."""

    return {name: change_of(*pair) for name, pair in mutated_functions(path, source).items()}


def equivalents() -> tuple[dict[str, str], dict[str, str]]:
    r"""The entries of ``equivalent.toml`` whose mutant still makes the change that was
    reviewed (``change``), as ``{name: why}``; and the others, as ``{name: what became of
    them}``. mutmut numbers the mutants of a function in order, so an edit of the function
    can give a reviewed mutant's name to another mutation: its entry then no longer counts.
    """

    listed = _listed()
    current: dict[str, str] = {}
    for path in sorted({_source_path(name) for name in listed}):
        if (ROOT / path).exists():
            current.update(changes(path))
    ids: dict[tuple[str, str], list[str]] = {}  # (function, change) -> the ids that make it
    for name, change in current.items():
        ids.setdefault((name.rpartition('__mutmut_')[0], change), []).append(name)
    valid, stale = {}, {}
    for name, entry in listed.items():
        change = current.get(name)
        if change == entry['change']:
            valid[name] = entry['why']
            continue
        now = ids.get((name.rpartition('__mutmut_')[0], entry['change']), [])
        where = f'; the change reviewed is now {" or ".join(now)}' if now else ''
        stale[name] = ('gone' if change is None else 'another change now') + where
    return valid, stale


def _listed() -> dict[str, dict[str, str]]:
    r"""The entries of ``equivalent.toml``, as written, by mutant name."""

    return tomllib.loads(EQUIVALENT.read_text()) if EQUIVALENT.exists() else {}


def _print_entries(patterns: list[str]) -> int:
    r"""Prints the diff and the ``equivalent.toml`` entry (its ``why`` as listed, or empty)
    of each mutant of ``patterns``, names or globs."""

    listed = _listed()
    paths = sorted({_source_path(pattern.split('.x', 1)[0] + '.x') for pattern in patterns})
    printed = 0
    for path in paths:
        for name, (original, mutant) in mutated_functions(path).items():
            if not _matches(name, patterns):
                continue
            printed += 1
            print('\n'.join(difflib.unified_diff(original.splitlines(), mutant.splitlines(), lineterm='')))
            change = change_of(original, mutant)
            why = json.dumps(listed.get(name, {}).get('why', ''), ensure_ascii=False)
            print(f'{json.dumps(name, ensure_ascii=False)} = {{ change = "{change}", why = {why} }}\n')
    if not printed:
        print(f'no mutant of {", ".join(paths)} matches {" ".join(patterns)}', file=sys.stderr)
        return 1
    return 0


def _source_path(name: str) -> str:
    r"""The file of ``inox/`` that a mutant (or a module name followed by a dot) mutates.

    >>> _source_path('inox.fast.walk.x__walk__mutmut_3'), _source_path('inox.nn.x_f__mutmut_1')
    ('inox/fast/walk.py', 'inox/nn/__init__.py')
    """

    module = name.rpartition('.')[0]
    path = module.replace('.', '/') + '.py'
    return path if (ROOT / path).exists() else module.replace('.', '/') + '/__init__.py'


def _commit() -> str:
    r"""HEAD, with ``+changes`` when inox/, spec_tests/ or tools/mutation/ differ from it."""

    head = _git('rev-parse', '--short=10', 'HEAD')[0]
    return head + (
        '+changes' if _git('status', '--porcelain', '--', 'inox/', 'spec_tests/', 'tools/mutation/*.py') else ''
    )


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


def _held_profile() -> str | None:
    r"""The profile of the verdicts in ``mutants/``: a ``mutants/`` of before profiles holds
    the default's; ``None`` when there is none."""

    if MARKER.exists():
        return MARKER.read_text().strip()
    return DEFAULT_PROFILE if (ROOT / 'mutants').exists() else None


def _saved() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def slot(saved: Mapping, profile: str) -> dict:
    r"""One profile's verdicts in ``results.json``'s layout: ``files`` (per source file, the
    mutmut exit codes and the function hashes they belong to), ``first_failures`` and
    ``confirmed`` (the confirmation pass's exit codes)."""

    data = saved if profile == DEFAULT_PROFILE else saved.get('profiles', {}).get(profile, {})
    return {
        'files': data.get('files', {}),
        'first_failures': data.get('first_failures', []),
        'confirmed': data.get('confirmed', {}),
    }


def _use(profile: str) -> None:
    r"""Makes ``mutants/`` hold ``profile``'s verdicts: if it holds another profile's, saves
    those and replaces them; otherwise seeds the files it has no results for (see :func:`_load`)."""

    held = _held_profile()
    if held is not None and held != profile:
        print(f'mutants/ holds the verdicts of profile {held}: saving them, loading those of {profile}')
        _save(held)
    _load(profile, replace=held is not None and held != profile)
    MARKER.parent.mkdir(parents=True, exist_ok=True)
    MARKER.write_text(profile + '\n')


def _load(profile: str, replace: bool) -> None:
    r"""Seeds ``mutants/`` with the saved verdicts of ``profile``.

    mutmut reads a file's ``.meta`` when it generates the file's mutants, and keeps the
    verdict of every mutant whose function has the hash it had then. A ``.meta`` that
    exists is left alone, unless ``replace``: then its verdicts become the saved ones of
    the functions whose hash is still the saved one, and the first failures and the
    confirmation pass's verdicts become the saved ones too.
    """

    saved = slot(_saved(), profile)
    out = ROOT / 'mutants'
    out.mkdir(exist_ok=True)
    paths = set(saved['files'])
    if replace:
        paths |= {str(meta.relative_to(out)).removesuffix('.meta') for meta in out.glob('inox/**/*.py.meta')}
    for path in sorted(paths):
        verdicts = saved['files'].get(path, {'exit_code_by_key': {}, 'hash_by_function_name': {}})
        meta = out / (path + '.meta')
        if meta.exists() and replace:
            data = json.loads(meta.read_text())
            current = data['hash_by_function_name']
            old = verdicts['hash_by_function_name']
            data['exit_code_by_key'] = {
                key: verdicts['exit_code_by_key'].get(key)
                if old.get(f) is not None and old.get(f) == current.get(f)
                else None
                for key in data['exit_code_by_key']
                for f in [_function(key)]
            }
            meta.write_text(json.dumps(data, indent=1))
        elif not meta.exists():
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
    if replace or not failures.exists():
        failures.write_text(''.join(json.dumps(entry) + '\n' for entry in saved['first_failures']))
    confirmed = out / 'confirmed.json'
    if replace or not confirmed.exists():
        confirmed.write_text(json.dumps(saved['confirmed'], indent=1))


def _function(key: str) -> str:
    r"""The function of a mutant, as ``hash_by_function_name`` names it."""

    return key.partition('__mutmut_')[0].rpartition('.')[2]


def _save(profile: str, run: dict | None = None) -> int:
    r"""Writes the verdicts of ``mutants/`` (mutmut's, the first failures, the
    confirmation pass's) into :data:`RESULTS` as ``profile``'s, the mutants without a verdict
    left out, and appends ``run`` to its ``runs``. The other profiles' verdicts stay."""

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
    saved = _saved()
    mine = {'files': files, 'first_failures': first, 'confirmed': confirmed}
    if profile == DEFAULT_PROFILE:
        saved.update(mine, tool=f'mutmut {mutmut.__version__}')
    else:
        # Only the functions with a verdict: their hashes are what the verdicts hold for.
        for data in files.values():
            functions = {_function(key) for key in data['exit_code_by_key']}
            data['hash_by_function_name'] = {f: h for f, h in data['hash_by_function_name'].items() if f in functions}
        mine['files'] = {path: data for path, data in files.items() if data['exit_code_by_key']}
        saved.setdefault('profiles', {})[profile] = mine
        saved.setdefault('tool', f'mutmut {mutmut.__version__}')
    if run is not None:
        saved.setdefault('runs', []).append(run)
    RESULTS.write_text(json.dumps(saved, indent=1, sort_keys=True) + '\n')
    verdicts = sum(len(f['exit_code_by_key']) for f in files.values())
    print(f'saved {verdicts} verdicts of profile {profile} into {RESULTS.relative_to(ROOT)}')
    return 0


def _confirm(max_children: int, equivalent: Mapping[str, str], only: list[str] | None = None) -> None:
    r"""Runs the whole suite, in a fresh process, against every mutant (of ``only``, when
    given) that mutmut saw survive or that no test reached, unless it is in ``equivalent``
    (see :func:`equivalents`).

    mutmut runs only the tests whose run reached the mutated function, in a process
    that imported inox before the mutant was chosen: code that runs at import (class
    registration) is never mutated there, and the tests that rely on it are not chosen.
    This pass gives those mutants the suite's full power.
    """

    from concurrent.futures import ThreadPoolExecutor

    names = [
        n
        for n, (status, _) in _results().items()
        if status in ('survived', 'no tests') and n not in equivalent and (only is None or _matches(n, only))
    ]
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
    path = ROOT / 'mutants' / 'confirmed.json'
    if only is not None and path.exists():
        verdicts = {**json.loads(path.read_text()), **verdicts}
    path.write_text(json.dumps(verdicts, indent=1))


def _matches(name: str, patterns: list[str]) -> bool:
    r"""Whether ``name`` is one of ``patterns``, mutant names or globs as ``mutmut run`` takes them."""

    return any(name == p or fnmatch.fnmatch(name, p) for p in patterns)


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

    path = _source_path(name)
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


def final_status(status: str, name: str, equivalent: Mapping, confirmed: Mapping) -> str:
    r"""A mutant's status once the equivalent list and the confirmation pass are heard."""

    if status in ('survived', 'no tests') and name in equivalent:
        return 'equivalent'
    if status in ('survived', 'no tests') and name in confirmed:
        return {0: 'survived', 1: 'killed', 'timeout': 'timeout'}.get(confirmed[name], 'suspicious')
    return status


def statuses(data: Mapping, equivalent: Mapping, status_by_exit_code: Mapping) -> dict[str, str]:
    r"""Every mutant's status in one profile's saved verdicts (see :func:`slot`)."""

    out = {}
    for verdicts in data['files'].values():
        for name, code in verdicts['exit_code_by_key'].items():
            status = status_by_exit_code.get(code, 'suspicious')
            out[name] = final_status(status, name, equivalent, data['confirmed'])
    return out


def compare(by_profile: Mapping[str, Mapping[str, str]]) -> tuple[list[str], dict, list[tuple[str, dict]]]:
    r"""The profiles that have verdicts, scored on the same mutants: those that every one of
    them has a verdict for. Returns those mutants, each profile's counts and rates, and the
    mutants whose statuses differ with each profile's status."""

    measured = {p: v for p, v in by_profile.items() if v}
    common = sorted(set.intersection(*(set(v) for v in measured.values()))) if measured else []
    scores = {}
    for profile, verdicts in measured.items():
        counts = Counter(verdicts[name] for name in common)
        non_equivalent = len(common) - counts['equivalent']
        killed, timeout = counts['killed'], counts['timeout']
        scores[profile] = {
            'mutants': len(common),
            'killed': killed,
            'survived': counts['survived'],
            'timeout': timeout,
            'other': non_equivalent - killed - counts['survived'] - timeout,
            'equivalent': counts['equivalent'],
            'kill_rate': round(killed / non_equivalent, 4) if non_equivalent else 1.0,
            'kill_or_timeout_rate': round((killed + timeout) / non_equivalent, 4) if non_equivalent else 1.0,
        }
    differ = [
        (name, {p: v[name] for p, v in measured.items()})
        for name in common
        if len({v[name] for v in measured.values()}) > 1
    ]
    return common, scores, differ


def profile_lines(common: list[str], scores: Mapping, differ: list[tuple[str, dict]], runs: list[dict]) -> list[str]:
    r"""The report's section of the profiles side by side, in Markdown."""

    lines = ['## Profiles side by side', '']
    if not scores:
        return [*lines, 'No verdicts yet.', '']
    lines += [
        f'On the {len(common)} mutants that every profile measured has a verdict for. A verdict belongs to the '
        'suite of its run (the runs below): compare profiles measured on the same commit.',
        '',
        '| profile | mutants | killed | survived | timeout | other | equivalent | kill rate | kill or timeout rate |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ]
    for profile, s in scores.items():
        lines.append(
            f'| {profile} | {s["mutants"]} | {s["killed"]} | {s["survived"]} | {s["timeout"]} | {s["other"]} '
            f'| {s["equivalent"]} | {s["kill_rate"]:.1%} | {s["kill_or_timeout_rate"]:.1%} |'
        )
    lines += ['', f'Verdicts that differ: {len(differ)}.', '']
    lines += [f'- `{name}`: ' + ', '.join(f'{p} {status}' for p, status in by.items()) for name, by in differ]
    latest = {}
    for run in runs:
        latest[run['profile']] = run
    if latest:
        lines += ['', 'The latest run of each profile:', '', '| profile | date | commit | mutants | sample | wall |']
        lines += ['| --- | --- | --- | ---: | --- | ---: |']
        for profile in [p for p in scores if p in latest] + [p for p in latest if p not in scores]:
            run = latest[profile]
            mutants = len(run['mutants']) if isinstance(run['mutants'], list) else run['mutants']
            where = f'{run["sample"]["size"]}, seed {run["sample"]["seed"]}' if run.get('sample') else '-'
            lines.append(f'| {profile} | {run["date"]} | {run["commit"]} | {mutants} | {where} | {run["wall_s"]} s |')
    return [*lines, '']


def _report(equivalent: Mapping[str, str], changed: Mapping[str, str]) -> int:
    r"""Writes the report of the verdicts so far; ``equivalent`` and ``changed`` are the
    entries of ``equivalent.toml`` that count and those that do not (see :func:`equivalents`)."""

    import mutmut
    from mutmut.__main__ import get_diff_for_mutant  # pyright: ignore[reportPrivateImportUsage]
    from mutmut.stats import status_by_exit_code

    results = _results()
    failures = _first_failures()
    verdicts = ROOT / 'mutants' / 'confirmed.json'
    confirmed = json.loads(verdicts.read_text()) if verdicts.exists() else {}
    mutants = []
    for name, (status, path) in sorted(results.items()):
        diff = get_diff_for_mutant(name, path=path)
        status = final_status(status, name, equivalent, confirmed)
        entry = {'mutant': name, 'status': status, 'where': _line(name, diff), 'diff': diff}
        if status == 'killed' and name in failures:
            entry.update({k: failures[name][k] for k in ('test', 'spec', 'error')})
        mutants.append(entry)

    counts = {}
    for m in mutants:
        counts[m['status']] = counts.get(m['status'], 0) + 1
    # Stale: an entry whose mutant now makes another change (or is gone), or is killed.
    stale = dict(changed)
    for name in equivalent:
        status = results.get(name, ('gone',))[0]
        if status not in ('survived', 'no tests', 'not checked'):
            stale[name] = status
    stale = dict(sorted(stale.items()))
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

    # Every profile's verdicts side by side, the held profile's as they are in mutants/ now.
    saved = _saved()
    held = _held_profile() or DEFAULT_PROFILE
    by_profile = {p: statuses(slot(saved, p), equivalent, status_by_exit_code) for p in PROFILES}
    by_profile[held] = {m['mutant']: m['status'] for m in mutants if m['status'] != 'not checked'}
    common, scores, differ = compare(by_profile)
    summary['profile'] = held
    summary['profiles'] = {'mutants': len(common), 'scores': scores, 'differ': dict(differ)}

    out = ROOT / 'mutants'
    (out / 'report.json').write_text(json.dumps({'summary': summary, 'mutants': mutants}, indent=1))
    lines = ['# Mutation report of inox/ against spec_tests', '']
    lines += [f'- {k}: {v}' for k, v in summary.items() if k != 'profiles']
    lines += ['', *profile_lines(common, scores, differ, saved.get('runs', []))]
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
