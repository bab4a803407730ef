"""tools/mutation/run.py: the sample of mutants, the report of the profiles side by side, and
the equivalent entries that count.

The sample is drawn from given names and the report's section is made from saved verdicts;
the entries are checked against the mutants that mutmut makes of a small file.
"""

import importlib.util
from pathlib import Path

_SPEC = importlib.util.spec_from_file_location('mutation_run', Path('tools/mutation/run.py'))
assert _SPEC and _SPEC.loader
run = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(run)

NAMES = [f'inox.tree.walk.x_flatten__mutmut_{i}' for i in range(1, 300)]
#: mutmut's exit codes: 1 killed, 0 survived, 36 timeout (mutmut.stats.status_by_exit_code).
CODES = {1: 'killed', 0: 'survived', 36: 'timeout'}


def test_the_same_seed_draws_the_same_sample_from_the_same_names_in_any_order():
    first = run.sample(NAMES, 40, seed=2026)
    assert first == run.sample(reversed(NAMES), 40, seed=2026) == run.sample(NAMES + NAMES[:5], 40, seed=2026)
    assert len(first) == len(set(first)) == 40 and set(first) <= set(NAMES) and first == sorted(first)
    assert first != run.sample(NAMES, 40, seed=2027)
    assert run.sample(NAMES[:3], 40, seed=1) == sorted(NAMES[:3])


def _files(codes):
    return {'inox/tree/walk.py': {'exit_code_by_key': codes, 'hash_by_function_name': {'x_flatten': 'abc'}}}


def test_results_of_before_profiles_are_the_mutation_profiles():
    old = {'tool': 'mutmut 3.8.1', 'files': _files({NAMES[0]: 1}), 'first_failures': [], 'confirmed': {}}
    assert run.slot(old, 'mutation')['files'] == old['files']
    assert run.slot(old, 'ci') == {'files': {}, 'first_failures': [], 'confirmed': {}}
    new = {**old, 'profiles': {'ci': {'files': _files({NAMES[0]: 36}), 'first_failures': [], 'confirmed': {}}}}
    assert run.slot(new, 'ci')['files']['inox/tree/walk.py']['exit_code_by_key'] == {NAMES[0]: 36}
    assert run.slot(new, 'mutation')['files'] == old['files']


def test_the_report_scores_each_profile_on_the_same_mutants_and_lists_those_that_differ():
    a, b, c, d, e = NAMES[:5]
    saved = {
        # e: a verdict of the mutation profile alone, left out of the comparison.
        'files': _files({a: 1, b: 1, c: 0, d: 0, e: 1}),
        'first_failures': [],
        'confirmed': {c: 1},  # the whole suite killed c
        'profiles': {'ci': {'files': _files({a: 1, b: 36, c: 0, d: 0}), 'first_failures': [], 'confirmed': {}}},
        'runs': [
            {'profile': 'ci', 'date': 'D', 'commit': 'C', 'mutants': [a, b, c, d], 'sample': None, 'wall_s': 9},
            {
                'profile': 'mutation',
                'date': 'D',
                'commit': 'C',
                'mutants': [a, b, c, d],
                'sample': {'size': 4, 'seed': 7},
                'wall_s': 5,
            },
        ],
    }
    equivalent = {d: 'no rule can tell'}
    by_profile = {p: run.statuses(run.slot(saved, p), equivalent, CODES) for p in run.PROFILES}
    assert by_profile['mutation'] == {a: 'killed', b: 'killed', c: 'killed', d: 'equivalent', e: 'killed'}
    assert by_profile['ci'] == {a: 'killed', b: 'timeout', c: 'survived', d: 'equivalent'}
    assert by_profile['extended'] == {}

    common, scores, differ = run.compare(by_profile)
    assert common == [a, b, c, d]
    assert list(scores) == ['ci', 'mutation']
    assert scores['ci'] == {
        'mutants': 4,
        'killed': 1,
        'survived': 1,
        'timeout': 1,
        'other': 0,
        'equivalent': 1,
        'kill_rate': round(1 / 3, 4),
        'kill_or_timeout_rate': round(2 / 3, 4),
    }
    assert scores['mutation']['killed'] == 3 and scores['mutation']['kill_rate'] == 1.0
    assert differ == [(b, {'ci': 'timeout', 'mutation': 'killed'}), (c, {'ci': 'survived', 'mutation': 'killed'})]

    text = '\n'.join(run.profile_lines(common, scores, differ, saved['runs']))
    assert '| ci | 4 | 1 | 1 | 1 | 0 | 1 | 33.3% | 66.7% |' in text
    assert '| mutation | 4 | 3 | 0 | 0 | 0 | 1 | 100.0% | 100.0% |' in text
    assert f'- `{b}`: ci timeout, mutation killed' in text
    assert '| mutation | D | C | 4 | 4, seed 7 | 5 s |' in text


def test_compiled_modules_are_found_so_that_a_run_refuses_them(tmp_path):
    fast = tmp_path / 'inox' / 'fast'
    fast.mkdir(parents=True)
    for name in ('walk.py', 'walk.c', 'walk.cpython-312-x86_64-linux-gnu.so', 'other.so'):
        (fast / name).write_text('')
    assert run.compiled_modules(tmp_path / 'inox') == [
        'inox/fast/other.so',
        'inox/fast/walk.cpython-312-x86_64-linux-gnu.so',
    ]
    (fast / 'walk.cpython-312-x86_64-linux-gnu.so').unlink()
    (fast / 'other.so').unlink()
    assert run.compiled_modules(tmp_path / 'inox') == []


def test_an_equivalent_entry_counts_only_while_its_mutant_makes_the_change_reviewed(tmp_path, monkeypatch):
    # mutmut reads its settings from the working folder; the mutants' names, from the path.
    (tmp_path / 'pyproject.toml').write_text('[tool.mutmut]\nsource_paths = ["inox/"]\n')
    (tmp_path / 'inox').mkdir()
    source = tmp_path / 'inox' / 'example.py'
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(run, 'ROOT', tmp_path)
    monkeypatch.setattr(run, 'EQUIVALENT', tmp_path / 'equivalent.toml')

    body = '    pass\n' * 3 + '    return x + 1\n'  # the context of the mutated line
    source.write_text('def f(x):\n' + body)
    first, change = next(iter(run.changes('inox/example.py').items()))
    assert first == 'inox.example.x_f__mutmut_1'
    run.EQUIVALENT.write_text(f'"{first}" = {{ change = "{change}", why = "reviewed" }}\n')
    assert run.equivalents() == ({first: 'reviewed'}, {})

    # A mutation ahead of it: the id names another change now, and the entry no longer counts.
    source.write_text('def f(x):\n    y = x * 2\n' + body)
    valid, stale = run.equivalents()
    moved = next(name for name, now in run.changes('inox/example.py').items() if now == change)
    assert moved != first and valid == {}
    assert stale == {first: f'another change now; the change reviewed is now {moved}'}

    source.write_text('def g(x):\n    return x\n')
    assert run.equivalents() == ({}, {first: 'gone'})
