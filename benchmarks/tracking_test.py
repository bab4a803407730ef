r"""Tests of the regression tracking: ratios to the floor, the threshold, baselines."""

import functools
import json
import os
import subprocess
import sys

import pytest
import track
from inoxbench import count_tracking, paired, results, tracking


def _benchmark(process, op, peer, seconds, n=10, variant='tied0', peak=None):
    info = dict(op=op, peer=peer, n=n, variant=variant, process=process, unique_leaves=2 * n)
    if peak is not None:
        info['flatten_peak_bytes'] = peak
    name = f'test_{op}[{peer}-N{n}-{variant}]'
    return {
        'name': name,
        'fullname': f'{process}.py::{name}',
        'group': f'{op} N{n}-{variant}',
        'stats': {'min': seconds, 'median': seconds * 1.1, 'data': [seconds]},
        'extra_info': info,
    }


def _document(process, *benchmarks):
    return {'machine_info': {'machine_class': 'test-1core'}, 'benchmarks': list(benchmarks)}


def _run(scope_seconds=3e-6, floor_seconds=1e-6):
    return _document(
        'current',
        _benchmark('current', 'flatten', 'floor', floor_seconds, peak=100),
        _benchmark('current', 'flatten', 'scope', scope_seconds, peak=300),
        _benchmark('current', 'flatten', 'nnx', 9e-6),
    )


def test_ratios_use_the_floor_of_the_same_process():
    legacy = _document(
        'legacy',
        _benchmark('legacy', 'flatten', 'floor', 2e-6),
        _benchmark('legacy', 'flatten', 'module', 8e-6),
    )
    run = results.Run(results.merge([_run(), legacy]))
    assert tracking.ratios(run) == pytest.approx(
        {'flatten/scope/N10-tied0': 3.0, 'memory/scope/N10-tied0': 3.0, 'flatten/module/N10-tied0': 4.0}
    )


def test_peers_are_not_tracked():
    run = results.Run(results.merge([_run()]))
    assert not any('/nnx/' in key for key in tracking.ratios(run))


def test_a_slower_machine_is_not_a_regression():
    fast = tracking.ratios(results.Run(results.merge([_run(3e-6, 1e-6)])))
    slow = tracking.ratios(results.Run(results.merge([_run(6e-6, 2e-6)])))
    assert tracking.regressions(tracking.compare(slow, fast, 15)) == []


def test_threshold():
    baseline = {'a': 1.0}
    assert tracking.compare({'a': 1.14}, baseline, 15)[0].status == 'ok'
    assert tracking.compare({'a': 1.16}, baseline, 15)[0].status == 'REGRESSED'
    assert tracking.compare({'a': 1.16}, baseline, 20)[0].status == 'ok'
    assert tracking.compare({'a': 0.5}, baseline, 15)[0].status == 'improved'


def test_new_and_missing_metrics_do_not_fail():
    rows = tracking.compare({'new': 1.0}, {'gone': 1.0}, 15)
    assert [(r.key, r.status) for r in rows] == [('gone', 'missing'), ('new', 'new')]
    assert tracking.regressions(rows) == []


def test_missing_baseline_is_an_error(tmp_path):
    with pytest.raises(tracking.MissingBaselineError, match='--update-baseline'):
        tracking.load_baseline(str(tmp_path / 'cpu-2core.json'))


def _write(path, document):
    path.write_text(json.dumps(document))
    return str(path)


def _track(tmp_path, *args):
    return track.main(['--out', str(tmp_path / 'out'), *args])


def test_track_fails_on_a_regression(tmp_path):
    baseline = _write(tmp_path / 'baseline.json', _run(3e-6))
    slower = _write(tmp_path / 'slower.json', _run(4e-6))
    assert _track(tmp_path, '--results', slower, '--baseline', baseline) == 1
    assert _track(tmp_path, '--results', slower, '--baseline', baseline, '--threshold', '50') == 0
    assert (tmp_path / 'out' / 'index.html').exists()


FAKE_GROUP = """
import json, sys
path = next(a.split('=', 1)[1] for a in sys.argv if a.startswith('--benchmark-json='))
# The first run is slow; the second, asked for with -k, is back to normal.
json.dump(json.load(open(sys.argv[2 if '-k' in sys.argv else 1])), open(path, 'w'))
"""


def test_track_measures_a_regression_again(tmp_path):
    baseline = _write(tmp_path / 'baseline.json', _run(3e-6))
    slow = _write(tmp_path / 'slow.json', _run(6e-6))
    normal = _write(tmp_path / 'normal.json', _run(3.1e-6))
    (tmp_path / 'group.py').write_text(FAKE_GROUP)
    noisy = f'current={sys.executable} {tmp_path / "group.py"} {slow} {normal}'
    assert _track(tmp_path, '--group', noisy, '--baseline', baseline) == 0
    assert _track(tmp_path, '--group', noisy, '--baseline', baseline, '--no-confirm') == 1
    regressed = f'current={sys.executable} {tmp_path / "group.py"} {slow} {slow}'
    assert _track(tmp_path, '--group', regressed, '--baseline', baseline) == 1


def test_track_without_baseline_raises(tmp_path):
    current = _write(tmp_path / 'current.json', _run())
    with pytest.raises(tracking.MissingBaselineError):
        _track(tmp_path, '--results', current, '--baseline', str(tmp_path / 'none.json'))


def test_update_baseline_and_history(tmp_path):
    current = _write(tmp_path / 'current.json', _run())
    baseline = tmp_path / 'baselines' / 'new.json'
    history = tmp_path / 'history.jsonl'
    assert _track(tmp_path, '--results', current, '--baseline', str(baseline), '--update-baseline') == 0
    assert _track(tmp_path, '--results', current, '--baseline', str(baseline), '--history', str(history)) == 0
    assert _track(tmp_path, '--results', current, '--baseline', str(baseline), '--history', str(history)) == 0
    runs = tracking.read_history(str(history))
    assert len(runs) == 2 and runs[0]['ratios']['flatten/scope/N10-tied0'] == pytest.approx(3.0)
    assert 'data' not in json.loads(baseline.read_text())['benchmarks'][0]['stats']


def _shapes(value, sizes=(10, 100, 1000, 10000)):
    return {f'flatten/scope/N{n}-tied0': value for n in sizes}


def test_a_family_fails_when_its_metrics_move_together():
    verdict = tracking.judge(_shapes(1.2), _shapes(1.0), threshold=15, metric_threshold=50)
    assert [(r.key, r.status) for r in verdict.failed] == [('flatten/scope', 'REGRESSED')]
    assert tracking.regressions(verdict.metrics) == []


def test_noise_of_single_metrics_cancels_in_the_family():
    now = dict(zip(_shapes(0), [1.4, 0.8, 1.3, 0.75], strict=True))  # +40%, -20%, +30%, -25%
    verdict = tracking.judge(now, _shapes(1.0), threshold=15, metric_threshold=50)
    assert verdict.failed == []
    assert verdict.families[0].change == pytest.approx((1.4 * 0.8 * 1.3 * 0.75) ** 0.25 * 100 - 100)


def test_one_metric_past_the_metric_threshold_fails():
    now = {**_shapes(1.0), 'flatten/scope/N10000-tied0': 1.6}
    verdict = tracking.judge(now, _shapes(1.0), threshold=15, metric_threshold=50)
    assert [(r.key, r.status) for r in verdict.failed] == [('flatten/scope/N10000-tied0', 'REGRESSED')]


def test_families_compare_the_shapes_of_both_runs():
    now = {**_shapes(1.0, (10, 100)), 'flatten/scope/N1000-tied0': 9.0}  # a new shape
    verdict = tracking.judge(now, _shapes(1.0, (10, 100)), threshold=15, metric_threshold=50)
    assert verdict.families[0].current == pytest.approx(1.0)
    assert verdict.failed == []


def test_track_reports_the_noise_between_processes(tmp_path, capsys):
    legacy = _document('legacy', _benchmark('legacy', 'flatten', 'floor', 1.5e-6))
    run = _write(tmp_path / 'run.json', results.merge([_run(), legacy]))
    assert _track(tmp_path, '--results', run, '--baseline', run) == 0
    out = capsys.readouterr().out
    assert 'this run:     median 50.0%, at most 50.0% (flatten/N10-tied0), over 1 shapes' in out
    assert 'the baseline: median 50.0%' in out


def test_track_warns_when_the_run_is_noisier_than_the_baseline(tmp_path, capsys):
    def with_second_floor(seconds):
        second = _document('second', _benchmark('second', 'flatten', 'floor', seconds))
        return results.merge([_run(), second])

    quiet = _write(tmp_path / 'quiet.json', with_second_floor(1.02e-6))
    noisy = _write(tmp_path / 'noisy.json', with_second_floor(1.5e-6))
    assert _track(tmp_path, '--results', noisy, '--baseline', quiet) == 0
    assert 'noisier than the baseline (floor spread median 50.0% against 2.0%)' in capsys.readouterr().out
    assert _track(tmp_path, '--results', quiet, '--baseline', noisy) == 0
    assert 'noisier' not in capsys.readouterr().out
    assert _track(tmp_path, '--results', noisy, '--baseline', quiet, '--update-baseline') == 0
    assert 'a baseline recorded now would hide regressions' in capsys.readouterr().out


FAKE_CHECKOUT_TEST = """
import json, sys
import inox
path = next(a.split('=', 1)[1] for a in sys.argv if a.startswith('--benchmark-json='))
assert '--peers=floor,module,scope' in sys.argv
info = dict(op='flatten', variant='tied0', process='p')
benchmarks = [
    dict(name=name, stats=dict(min=seconds), extra_info=dict(info, peer=peer, n=n))
    for n in (10, 100)
    for name, peer, seconds in [('f', 'floor', 1e-6), ('s', 'scope', 3e-6 * inox.SLOWER)]
]
json.dump(dict(machine_info=dict(machine_class='test-1core'), benchmarks=benchmarks), open(path, 'w'))
"""


def _checkout(root, slower, benchmarks=FAKE_CHECKOUT_TEST):
    (root / 'inox').mkdir(parents=True, exist_ok=True)
    (root / 'inox' / '__init__.py').write_text(f'SLOWER = {slower}\n')
    (root / 'benchmarks').mkdir(exist_ok=True)
    (root / 'benchmarks' / 'bench_test.py').write_text(benchmarks)


def test_track_against_a_commit_takes_its_inox_and_this_checkouts_benchmarks(tmp_path, monkeypatch):
    repo = tmp_path / 'repo'
    # The committed benchmarks would fail: the run must take the checkout's.
    _checkout(repo, slower=1.0, benchmarks='raise SystemExit(3)')
    git = ['git', '-C', str(repo), '-c', 'user.name=t', '-c', 'user.email=t@t']
    for command in (['init', '-q'], ['add', '.'], ['commit', '-qm', 'base']):
        subprocess.run(git + command, check=True)
    _checkout(repo, slower=1.0)
    monkeypatch.setattr(track, 'WORKSPACE', str(repo))
    # inox/__init__.py is rewritten within a second, at the same size: no stale bytecode.
    monkeypatch.setenv('PYTHONDONTWRITEBYTECODE', '1')

    assert _track(tmp_path, '--against', 'HEAD', '--pairs', '2') == 0
    _checkout(repo, slower=1.3)
    assert _track(tmp_path, '--against', 'HEAD', '--pairs', '2') == 1
    assert _track(tmp_path, '--against', 'HEAD', '--threshold', '40', '--metric-threshold', '40') == 0
    assert sorted(os.listdir(tmp_path / 'out'))[:2] == ['round1-against.json', 'round1-this.json']
    with pytest.raises(track.TrackError, match='--against nowhere: git archive failed'):
        _track(tmp_path, '--against', 'nowhere')


def test_paired_rounds_take_the_median_of_the_changes_within_each_round():
    quiet = (_shapes(1.0), _shapes(1.04))
    busy = (_shapes(1.0), _shapes(1.5))
    verdict = paired.judge_paired(paired.pair_rounds([quiet, busy, quiet]), 5, 100)
    assert [row.status for row in verdict.families] == ['ok']
    assert paired.judge_paired(paired.pair_rounds([busy, quiet, busy]), 5, 100).failed[0].key == 'flatten/scope'
    # A shape only one process of a round measured is left out of that round's family.
    partial = (_shapes(1.0, (10, 100)), {**_shapes(1.0), 'flatten/scope/N1000-tied0': 9.0})
    assert paired.pair_rounds([partial]).families['flatten/scope'].changes == [0.0]


def _counts(scale=1.0, noise=0.0):
    # Made-up counts of two families over four shapes; `noise` moves every other shape up
    # and the others down, as unchanged code moves by a fraction of a percent.
    counts = {}
    for i, n in enumerate((10, 100, 1000, 10000)):
        wiggle = 1 + (noise if i % 2 else -noise) / 100
        counts[f'flatten/scope/N{n}-tied0'] = 30_000 * n * scale * wiggle
        counts[f'unflatten/scope/N{n}-tied0'] = 20_000 * n * wiggle
    return counts


def test_count_thresholds_fail_a_two_percent_family_and_pass_the_noise_of_unchanged_code():
    judge = functools.partial(
        tracking.judge, threshold=count_tracking.COUNT_THRESHOLD, metric_threshold=count_tracking.COUNT_METRIC_THRESHOLD
    )
    assert judge(_counts(noise=0.5), _counts()).failed == []
    failed = judge(_counts(scale=1.02), _counts()).failed
    assert [row.key for row in failed] == ['flatten/scope']
    # One shape alone past the single-count threshold.
    one = dict(_counts(), **{'unflatten/scope/N10-tied0': 20_000 * 10 * 1.04})
    assert [row.key for row in judge(one, _counts()).failed] == ['unflatten/scope/N10-tied0']


# A count process of the floor, scope, fast and equinox, those of them that its --peers
# name, at its --sizes (the last of each option counts, as in pytest). It scales scope's
# counts by the number in the file `scale` beside it, in every address layout or, where the
# file `first-layout-only` is there too, in the first alone; it keeps the names of its
# environment variables in `environment`, and gives every peer the version in the file
# `version`, if there is one.
FAKE_COUNT_PROCESS = """
import json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
def option(name):
    return [a.split('=', 1)[1] for a in sys.argv if a.startswith(f'--{name}=')][-1]
path = option('counts')
variants = option('variants').split(',')
sizes = [int(n) for n in option('sizes').split(',')]
peers = option('peers').split(',')
scale = float(open(os.path.join(here, 'scale')).read())
version = open(os.path.join(here, 'version')).read() if os.path.exists(os.path.join(here, 'version')) else None
if os.path.exists(os.path.join(here, 'first-layout-only')) and 'INOXBENCH_LAYOUT' in os.environ:
    scale = 1.0
with open(os.path.join(here, 'environment'), 'w') as f:
    f.write(' '.join(sorted(os.environ)))
benchmarks = [
    dict(name=f'{peer}-{v}-{n}', stats=dict(instructions=count * n * (scale if peer == 'scope' else 1)),
         extra_info=dict(op='flatten', peer=peer, n=n, variant=v, process='current_test', version=version))
    for v in variants for n in sizes
    for peer, count in (('floor', 1000), ('scope', 30000), ('fast', 20000), ('equinox', 25000)) if peer in peers
]
json.dump(dict(machine_info=dict(stack='fakestack'), benchmarks=benchmarks), open(path, 'w'))
"""


def _count_with_the_fake(tmp_path, monkeypatch, version=None):
    r"""Makes ``track`` run FAKE_COUNT_PROCESS from ``tmp_path`` as its count processes, at
    scale 1, giving every peer ``version`` if there is one."""

    (tmp_path / 'count.py').write_text(FAKE_COUNT_PROCESS)
    (tmp_path / 'scale').write_text('1')
    if version is not None:
        (tmp_path / 'version').write_text(version)
    monkeypatch.setattr(track, 'WORKSPACE', str(tmp_path))
    fake = [sys.executable, str(tmp_path / 'count.py')]
    monkeypatch.setattr(track.counting, 'command', lambda argv, path: [*fake, *argv[1:], f'--counts={path}'])


def test_track_counts_judges_against_the_baseline_of_the_stack(tmp_path, monkeypatch, capsys):
    _count_with_the_fake(tmp_path, monkeypatch)
    monkeypatch.setenv('HOME', '/home/someone')
    monkeypatch.setenv('JAX_PLATFORMS', 'cpu')
    with pytest.raises(tracking.MissingBaselineError, match='fakestack.json'):
        _track(tmp_path, '--counts')
    assert _track(tmp_path, '--counts', '--update-baseline') == 0
    assert (tmp_path / 'benchmarks' / 'baselines' / 'counts' / 'fakestack.json').exists()
    assert _track(tmp_path, '--counts') == 0
    assert 'flatten/scope/N10-tied0' in capsys.readouterr().out
    # Only what finds its files and configures jax passes; the rest is fixed.
    names = set((tmp_path / 'environment').read_text().split())
    assert {'JAX_PLATFORMS', 'LANG', 'PATH', 'PYTHONHASHSEED'} <= names and 'HOME' not in names
    assert all(name.startswith(('JAX_', 'LANG', 'PATH', 'PYTHON', 'RUNFILES_', 'XLA_')) for name in names)
    (tmp_path / 'scale').write_text('1.02')
    assert _track(tmp_path, '--counts') == 1
    out = capsys.readouterr().out
    assert 'address layout 1' in out  # counted again before failing
    families = out.split('Families')[1]
    assert '+2.0%' in families and 'REGRESSED' in families
    # The failure names the family, then its shapes with their change.
    failure = out.split('track: regressed')[1].splitlines()
    assert failure[1].split()[0] == 'metric' and failure[2].split()[0] == 'flatten/scope'
    shapes = [line.split()[0] for line in failure[3:] if line.startswith('flatten/scope/')]
    assert len(shapes) == 8 and 'flatten/scope/N100-tied0' in shapes  # 4 variants, N=10 and 100
    assert (tmp_path / 'out' / 'counts.html').exists()
    assert _track(tmp_path, '--counts', '--no-confirm') == 1
    assert 'address layout 1' not in capsys.readouterr().out
    # A regression of the first layout alone is the layout's, not the code's.
    (tmp_path / 'first-layout-only').write_text('')
    assert _track(tmp_path, '--counts') == 0
    assert 'noise' in capsys.readouterr().out.split('Families')[1]


def test_track_counts_refuses_a_peer_counted_in_another_version(tmp_path, monkeypatch):
    _count_with_the_fake(tmp_path, monkeypatch, version='compiled')
    assert _track(tmp_path, '--counts', '--update-baseline') == 0
    (tmp_path / 'version').write_text('source')
    with pytest.raises(track.TrackError, match="different programs: scope: 'compiled' then 'source'"):
        _track(tmp_path, '--counts')
    assert _track(tmp_path, '--counts', '--update-baseline') == 0  # recording a new program is meant


def test_track_counts_the_targets_against_equinox_at_their_sizes(tmp_path, monkeypatch, capsys):
    _count_with_the_fake(tmp_path, monkeypatch, version='compiled')
    # No baseline is needed: nothing is judged.
    assert _track(tmp_path, '--counts', '--targets') == 0
    out = capsys.readouterr().out.split('Targets on instruction counts')[1]
    flatten = out.split('fast flatten <= 1x Equinox flatten')[1].split('Counted:')[0]  # the fake counts flatten alone
    assert [line.split()[:3] for line in flatten.strip().splitlines()] == [
        ['N=100', 'tied0', '0.80'],
        ['N=1000', 'tied0', '0.80'],
        ['N=10000', 'tied0', '0.80'],
        ['N=100', 'tied50', '0.80'],
        ['N=1000', 'tied50', '0.80'],
        ['N=10000', 'tied50', '0.80'],
        ['N=100', 'tied90', '0.80'],
        ['N=1000', 'tied90', '0.80'],
        ['N=10000', 'tied90', '0.80'],
    ]
    assert 'Counted: equinox compiled, fast compiled' in out
    counted = json.loads((tmp_path / 'out' / 'target-counts.json').read_text())['benchmarks']
    assert {b['extra_info']['peer'] for b in counted} == {'fast', 'equinox'}


@pytest.mark.parametrize(
    'args',
    [['--targets'], ['--counts', '--targets', '--update-baseline'], ['--counts', '--targets', '--against', 'HEAD']],
)
def test_targets_are_counted_alone(tmp_path, args):
    with pytest.raises(SystemExit) as exit:
        _track(tmp_path, *args)
    assert exit.value.code == 2


def test_compile_walk_builds_the_extension_that_python_imports_in_the_sources_stead(tmp_path):
    (tmp_path / 'inox' / 'fast').mkdir(parents=True)
    for package in ('inox', 'inox/fast'):
        (tmp_path / package / '__init__.py').write_text('')
    (tmp_path / 'inox' / 'fast' / 'walk.py').write_text('def twice(x: int) -> int:\n    return 2 * x\n')
    track.compile_walk(str(tmp_path))
    # On PYTHONPATH, not as the working directory: Bazel 7 sets PYTHONSAFEPATH for its tests.
    imported = subprocess.run(
        [sys.executable, '-c', 'import inox.fast.walk as w; print(w.__file__.rsplit(".", 1)[-1], w.twice(21))'],
        env=dict(os.environ, PYTHONPATH=str(tmp_path)),
        capture_output=True,
        text=True,
    )
    assert imported.stdout.split() == ['so', '42'], imported.stderr
    track.compile_walk(str(tmp_path / 'inox'))  # no inox/fast/walk.py there: nothing to compile


def test_compile_walk_names_the_command_that_failed(tmp_path):
    (tmp_path / 'inox' / 'fast').mkdir(parents=True)
    (tmp_path / 'inox' / 'fast' / 'walk.py').write_text('def broken(:\n')
    with pytest.raises(track.TrackError, match='-m cython .* failed'):
        track.compile_walk(str(tmp_path))
