r"""Runs the benchmark processes, compares the run with the committed baseline, and
draws the report.

    ./bazelw run //benchmarks:track [-- OPTIONS] [-- PYTEST_ARGS]

Every tracked metric is a time (or a peak memory) of this checkout's inox divided by
the floor's for the same operation and shape in the same process, so a faster or
slower machine of the same class does not look like a change. The run fails (exit 1)
when a family of metrics (one operation of one peer, over all shapes) grew by more
than ``--threshold`` percent over the baseline of the machine class
(``benchmarks/baselines/<class>.json``), or a single metric by more than
``--metric-threshold``, and still does when measured again (see
:mod:`inoxbench.tracking`); a missing baseline is an error (exit 2).
``--update-baseline`` records the run as the new baseline instead.

``--against COMMIT`` measures a change smaller than the noise between runs: rounds of
two processes back to back, one with this checkout's inox and one with the inox of
``COMMIT`` (the benchmarks are this checkout's in both), judged by the median over
the rounds of the change within each round (:func:`inoxbench.paired.judge_paired`).

``--counts`` counts instructions instead of timing (:mod:`inoxbench.counting`): the
suite runs under Valgrind's callgrind, in two processes side by side,
and the counts of the tracked peers are compared with the baseline of the software stack
(``benchmarks/baselines/counts/<stack>.json``), at thresholds of their own; a run that
fails is counted again in another address layout, and each count is judged by the lower of
its two. It takes ``--against`` and ``--update-baseline`` too; with ``--against``, each
side's fast walk is compiled in a scratch copy by one command (:func:`compile_walk`).
``--counts --targets`` counts the fast walk and Equinox at the sizes of their targets
instead, and reports those targets on the counts (:data:`inoxbench.targets.EQUINOX_PEERS`).

Without Bazel, from the repository root: ``python benchmarks/track.py`` runs this
checkout's process; add ``--group inox_0_8_0='/venv/bin/python benchmarks/bench_test.py
--peers=floor,inox_0_8_0'`` with a virtual environment where inox 0.8.0 is installed.
"""

import datetime
import io
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile

from inoxbench import cli, count_tracking, counting, paired, results, targets, tracking

HERE = os.path.dirname(os.path.abspath(__file__))
# `bazel run` starts us in the runfiles; the source tree is where baselines are kept.
WORKSPACE = os.environ.get('BUILD_WORKSPACE_DIRECTORY', os.path.dirname(HERE))
INVOKED_FROM = os.environ.get('BUILD_WORKING_DIRECTORY', os.getcwd())


class TrackError(Exception):
    r"""A run that cannot be compared: a process failed, or a file is missing."""


def _user_path(path):
    return os.path.join(INVOKED_FROM, path)


def _groups(options):
    groups = []
    for spec in options.group:
        name, _, command = spec.partition('=')
        if not command:
            raise TrackError(f'--group {spec!r}: expected NAME=COMMAND')
        groups.append((name, shlex.split(command)))
    return groups or [('current', [sys.executable, os.path.join(HERE, 'bench_test.py')])]


def _run_groups(options, groups, pytest_args):
    r"""Runs each group; returns its JSON document by group name."""

    env = dict(os.environ)
    if options.platform:
        env['JAX_PLATFORMS'] = options.platform
    documents = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, command in groups:
            path = os.path.join(scratch, f'{name}.json')
            print(f'track: running {name}: {shlex.join(command)}', flush=True)
            code = subprocess.call(command + [f'--benchmark-json={path}'] + pytest_args, env=env)
            if code != 0:
                raise TrackError(f'the benchmark process {name!r} failed with exit code {code}')
            documents[name] = results.read(path)
    return documents


# The second measurement runs each suspect below N=10,000 ten times longer than the
# first (see pytest.ini): it decides, so it should be the more precise of the two.
CONFIRM_TIMING = ['--benchmark-max-time=2.0', '--benchmark-min-rounds=20']


def _measure_again(options, keys, run, documents):
    r"""Measures the given metrics again, in the groups that measured them."""

    group_of = {
        b['extra_info']['process']: name
        for name, doc in documents.items()
        for b in doc.get('benchmarks', [])
        if 'process' in b.get('extra_info', {})
    }
    names = {}
    for key in keys:
        op, peer, shape = key.split('/')
        n, variant = shape[1:].split('-')
        entry = run.entries[('flatten' if op == tracking.MEMORY else op, peer, int(n), variant)]
        names.setdefault(group_of[entry['extra_info']['process']], []).extend(tracking.rerun_names(key))
    print(f'\ntrack: measuring {len(keys)} tracked ratios again', flush=True)
    again = {}
    for name, command in _groups(options):
        if name in names:
            expression = ' or '.join(dict.fromkeys(names[name]))
            document = _run_groups(options, [(name, command)], ['-q', '-k', expression] + CONFIRM_TIMING)[name]
            again.update(tracking.ratios(results.Run(results.merge([document])), options.stat))
    return again


def _print_verdict(verdict, against, stat):
    print(f'\nTracked ratios to the floor ({stat}), against {against}:')
    print(tracking.format_table(verdict.metrics))
    print(f'\nFamilies (geometric mean over the shapes of both runs), against {against}:')
    print(tracking.format_table(verdict.families))


def _print_noise(run, baseline, stat, advice):
    spread = tracking.floor_spread(run, stat)
    print('\nNoise: the floor timed in each process, slowest over fastest (same code, same shape):')
    print(f'  this run:     {tracking.format_spread(spread)}')
    if baseline is None:
        return
    then = tracking.floor_spread(baseline, stat)
    print(f'  the baseline: {tracking.format_spread(then)}')
    warning = tracking.noise_warning(spread, then)
    if warning:
        print(f'track: warning: {warning}; families move by about as much whatever the code: {advice}')


# The peers of the tracked ratios: only they change with the inox of a commit.
PAIRED_PEERS = ','.join(('floor',) + tracking.TRACKED_PEERS)


def _tree_with_inox_of(commit, scratch):
    r"""A directory with the inox of ``commit`` and this checkout's benchmarks."""

    archive = subprocess.run(['git', '-C', WORKSPACE, 'archive', commit, 'inox'], capture_output=True)
    if archive.returncode != 0:
        raise TrackError(f'--against {commit}: git archive failed: {archive.stderr.decode().strip()}')
    root = os.path.join(scratch, 'against')
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(root, filter='data')
    _copy_benchmarks(root)
    return root


def _tree_with_this_inox(scratch):
    r"""A directory with this checkout's inox, uncommitted changes included, as source (no
    extension module built in place), and its benchmarks."""

    root = os.path.join(scratch, 'this')
    shutil.copytree(
        os.path.join(WORKSPACE, 'inox'),
        os.path.join(root, 'inox'),
        ignore=shutil.ignore_patterns('__pycache__', '*.so', '*.c', '*.pyd'),
    )
    _copy_benchmarks(root)
    return root


def _copy_benchmarks(root):
    shutil.copytree(
        os.path.join(WORKSPACE, 'benchmarks'),
        os.path.join(root, 'benchmarks'),
        ignore=shutil.ignore_patterns('results', 'baselines', 'history', '__pycache__'),
    )


def compile_walk(tree):
    r"""Compiles the fast walk of ``tree``'s inox in place, by the commands of README.md;
    nothing for an inox without one (before inox/fast).

    ``--counts --against`` counts both sides' walks compiled by these commands: Bazel's
    compiler flags are not these, and a walk run as source counts about twice a compiled one.
    """

    source = os.path.join(tree, 'inox', 'fast', 'walk.py')
    if not os.path.exists(source):
        return
    c_file = source[: -len('.py')] + '.c'
    extension = source[: -len('.py')] + sysconfig.get_config_var('EXT_SUFFIX')
    include = sysconfig.get_path('include')
    for command in (
        [sys.executable, '-m', 'cython', '-3', '--module-name', 'inox.fast.walk', '-o', c_file, source],
        [os.environ.get('CC', 'cc'), '-shared', '-fPIC', '-O2', '-fno-strict-aliasing', f'-I{include}']
        + [c_file, '-o', extension],
    ):
        try:
            done = subprocess.run(command, capture_output=True, text=True)
        except OSError as error:
            raise TrackError(f'compiling the fast walk of {tree}: {shlex.join(command)}: {error}') from None
        if done.returncode != 0:
            raise TrackError(
                f'compiling the fast walk of {tree}: {shlex.join(command)} failed:\n{done.stderr.strip()[-2000:]}'
            )


def _process_on(tree, env):
    r"""The command line and environment of a benchmark process on the inox of ``tree``:
    this checkout's benchmarks with ``tree`` first on the path."""

    env = dict(env, PYTHONPATH=os.pathsep.join(filter(None, [tree, os.environ.get('PYTHONPATH')])))
    return [sys.executable, os.path.join(tree, 'benchmarks', 'bench_test.py')], env


def _track_against(options):
    r"""Rounds of this checkout against ``options.against``; returns the exit code."""

    if options.pairs < 1:
        raise TrackError(f'--pairs {options.pairs}: at least one round is needed')
    out = _user_path(options.out)
    os.makedirs(out, exist_ok=True)
    env = dict(os.environ)
    if options.platform:
        env['JAX_PLATFORMS'] = options.platform
    names = {'against': f'the inox of {options.against}', 'this': 'this checkout'}
    rounds = []
    with tempfile.TemporaryDirectory() as scratch:
        trees = {'against': _tree_with_inox_of(options.against, scratch), 'this': WORKSPACE}
        for index in range(options.pairs):
            # Either goes first every other round, so that a machine growing slower or
            # faster during the run favours neither.
            measured = {}
            for side in ('against', 'this') if index % 2 == 0 else ('this', 'against'):
                path = os.path.join(out, f'round{index + 1}-{side}.json')
                command, process_env = _process_on(trees[side], env)
                command += ['-q', f'--peers={PAIRED_PEERS}', f'--benchmark-json={path}'] + options.pytest_args
                print(f'track: round {index + 1} of {options.pairs}: {names[side]}', flush=True)
                code = subprocess.call(command, env=process_env)
                if code != 0:
                    raise TrackError(f'the benchmark process of {names[side]} failed with exit code {code}')
                measured[side] = tracking.ratios(results.Run(results.merge([results.read(path)])), options.stat)
                if not measured[side]:
                    raise TrackError(f'the process of {names[side]} measured no tracked ratio (skipped?)')
            rounds.append((measured['against'], measured['this']))

    run = paired.pair_rounds(rounds)
    verdict = paired.judge_paired(run, options.threshold, options.metric_threshold)
    against = f'the inox of {options.against}, in the same run'
    print(f'\nTracked ratios to the floor ({options.stat}), medians of the rounds, against {against}:')
    print(tracking.format_table(verdict.metrics))
    print(f'\nFamilies, the change within each round, against {against}:')
    print(paired.format_rounds(run.families))
    return _exit_code(verdict.failed, options)


def _count(options, tree, scratch, label, layout=0, peers=None, sizes=counting.COUNT_SIZES):
    r"""Counts the instructions of ``peers`` (by default the floor and the tracked peers)
    on the inox of ``tree``, at ``sizes``, in the address ``layout`` (see
    :func:`inoxbench.counting.environment`); returns the merged run."""

    if tree == WORKSPACE:
        command, env = dict(_groups(options))['current'], dict(os.environ)
    else:
        command, env = _process_on(tree, os.environ)
    print(f'track: counting the instructions of {label} under callgrind (address layout {layout})', flush=True)
    # An inox from before inox/fast (--against an older commit) is counted without it.
    if peers is None:
        peers = ['floor'] + [
            p for p in count_tracking.COUNTED_PEERS if p != 'fast' or os.path.isdir(os.path.join(tree, 'inox', 'fast'))
        ]
    argv = command + ['-q', f'--peers={",".join(peers)}'] + options.pytest_args
    return results.Run(results.merge(counting.count(argv, env, scratch, label.replace(' ', '-'), layout, sizes)))


def _count_targets(options):
    r"""Counts the peers of the targets against Equinox at their sizes, and reports
    those targets on the counts; judges nothing."""

    out = _user_path(options.out)
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=counting.SCRATCH_ROOT) as scratch:
        peers, sizes = targets.EQUINOX_PEERS, targets.EQUINOX_SIZES
        run = _count(options, WORKSPACE, scratch, 'the targets', peers=peers, sizes=sizes)
    path = os.path.join(out, 'target-counts.json')
    results.write(path, run.document)
    checks = targets.evaluate(run, 'instructions')
    print('\nTargets on instruction counts (reported, not enforced):\n' + targets.format_checks(checks))
    # Which programs were counted: the fast walk counts about twice as much run as source.
    versions = {key[1]: run.info(*key, 'version') for key in run.entries}
    print('Counted: ' + ', '.join(f'{peer} {version}' for peer, version in sorted(versions.items())))
    print(f'Software stack: {run.stack}')
    print(f'track: wrote {path}')
    return 0


def _track_counts(options):
    r"""Counts instructions, judges them against the stack's baseline or a commit."""

    out = _user_path(options.out)
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=counting.SCRATCH_ROOT) as scratch:
        other = None
        if options.against:
            trees = _tree_with_this_inox(scratch), _tree_with_inox_of(options.against, scratch)
            for tree in trees:
                compile_walk(tree)
            run = _count(options, trees[0], scratch, 'this checkout')
            other = _count(options, trees[1], scratch, options.against)
        else:
            run = _count(options, WORKSPACE, scratch, 'this checkout')
    stack = run.stack
    results.write(os.path.join(out, 'counts.json'), run.document)
    current = count_tracking.counts(run)
    if not current:
        raise TrackError('the count run has no tracked count (were they all deselected or skipped?)')
    baseline_path = (
        _user_path(options.baseline)
        if options.baseline
        else os.path.join(WORKSPACE, 'benchmarks', 'baselines', 'counts', f'{stack}.json')
    )
    if other is not None:
        before, against = other, f'the inox of {options.against}, counted in the same run'
    elif options.update_baseline:
        exists = os.path.exists(baseline_path)
        before = results.Run(results.read(baseline_path)) if exists else results.Run({})
        against = 'the previous baseline'
    else:
        before, against = results.Run(tracking.load_baseline(baseline_path)), baseline_path
    then = count_tracking.counts(before)
    differing = count_tracking.version_differences(before, run)
    if differing and not options.update_baseline:
        raise TrackError(f'the counts of {against} and of this run are of different programs: {"; ".join(differing)}')
    verdict = tracking.judge(current, then, options.threshold, options.metric_threshold)
    if verdict.failed and options.confirm and other is None and not options.update_baseline:
        with tempfile.TemporaryDirectory(dir=counting.SCRATCH_ROOT) as scratch:
            again = count_tracking.counts(_count(options, WORKSPACE, scratch, 'this checkout again', layout=1))
        verdict = tracking.judge(current, then, options.threshold, options.metric_threshold, again)
    print(f'\nInstruction counts of the tracked peers, against {against} (/ floor: over the floor\'s count):')
    print(count_tracking.format_counts(verdict.metrics, run))
    print(f'\nFamilies (geometric mean of the counts over the shapes of both runs), against {against}:')
    print(count_tracking.format_counts(verdict.families, run))
    changed = [(abs(row.change), row.change, row.key) for row in verdict.metrics if row.change is not None]
    if changed:
        _, change, key = max(changed)
        print(f'\nLargest change of a single count: {change:+.2f}% ({key})')
    print(f"Noise: the floor's counts (jax's code) against {against}: {count_tracking.noise(run, before)}")
    print(f'Software stack: {stack}')
    commit = _commit()
    runs = [{'label': 'baseline', 'ratios': then}, {'label': commit or 'this run', 'ratios': current}]
    from inoxbench.plots import write_count_report  # matplotlib only when drawing

    for path in write_count_report(run, verdict.families + verdict.metrics, runs, out):
        print(f'track: wrote {path}')
    if options.update_baseline:
        os.makedirs(os.path.dirname(baseline_path), exist_ok=True)
        document = dict(run.document, inox_commit=commit)
        results.write(baseline_path, document)
        print(f'\ntrack: wrote the count baseline {baseline_path} ({len(current)} tracked counts)')
        return 0
    if not verdict.failed:
        return 0
    print(
        f'\ntrack: regressed (families by more than {options.threshold:g}%, '
        f'single counts by more than {options.metric_threshold:g}%), with the shapes of each family:'
    )
    print(count_tracking.format_counts(count_tracking.failure(verdict), run))
    print('\nIf the change is meant, record it: ./bazelw run //benchmarks:track -- --counts --update-baseline')
    return 1


def _exit_code(failed, options):
    if not failed:
        return 0
    print(
        f'\ntrack: {len(failed)} regressed (families by more than {options.threshold:g}%, '
        f'single ratios by more than {options.metric_threshold:g}%):'
    )
    print(tracking.format_table(failed))
    return 1


def _commit():
    try:
        out = subprocess.run(
            ['git', '-C', WORKSPACE, 'describe', '--always', '--dirty'], capture_output=True, text=True, timeout=30
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def main(argv):
    options = cli.parse(argv, (__doc__ or '').split('\n\n')[0], WORKSPACE)
    if options.counts:
        return _count_targets(options) if options.targets else _track_counts(options)
    if options.against:
        return _track_against(options)
    return _track_times(options)


def _record_baseline(options, run, current, baseline_path):
    r"""Writes the run as the baseline, after showing what it changes; nothing fails."""

    previous = results.Run(results.read(baseline_path)) if os.path.exists(baseline_path) else None
    then = tracking.ratios(previous, options.stat) if previous else {}
    verdict = tracking.judge(current, then, options.threshold, options.metric_threshold)
    _print_verdict(verdict, 'the previous baseline', options.stat)
    _print_noise(run, previous, options.stat, 'a baseline recorded now would hide regressions of that size')
    os.makedirs(os.path.dirname(baseline_path), exist_ok=True)
    results.write(baseline_path, run.document)
    print(f'\ntrack: wrote the baseline {baseline_path} ({len(current)} tracked metrics)')
    return verdict


def _track_times(options):
    r"""Times every process, judges the run against the baseline of the machine class."""

    if options.results:
        documents = {p: results.read(_user_path(p)) for p in options.results}
    else:
        documents = _run_groups(options, _groups(options), options.pytest_args)
    merged = results.merge(documents.values())
    commit = _commit()
    if commit:
        merged['inox_commit'] = commit
    run = results.Run(merged)
    if not run.entries:
        raise TrackError('the run has no benchmarks (were they all deselected or skipped?)')

    out = _user_path(options.out)
    os.makedirs(out, exist_ok=True)
    results.write(os.path.join(out, 'results.json'), merged)

    checks = targets.evaluate(run, options.stat)
    print('\nTargets (reported, not enforced):\n' + targets.format_checks(checks))

    machine = run.machine_class
    baseline_path = (
        _user_path(options.baseline)
        if options.baseline
        else os.path.join(WORKSPACE, 'benchmarks', 'baselines', f'{machine}.json')
    )
    current = tracking.ratios(run, options.stat)
    label = f'{datetime.datetime.now():%Y-%m-%d %H:%M} {commit or ""}'.strip()
    entry = {'label': label, 'machine_class': machine, 'stat': options.stat, 'ratios': current}

    if options.update_baseline:
        verdict = _record_baseline(options, run, current, baseline_path)
        runs = [entry]
    else:
        before = results.Run(tracking.load_baseline(baseline_path))
        then = tracking.ratios(before, options.stat)
        verdict = tracking.judge(current, then, options.threshold, options.metric_threshold)
        if verdict.failed and options.confirm and not options.results:
            again = _measure_again(options, tracking.suspects(verdict), run, documents)
            verdict = tracking.judge(current, then, options.threshold, options.metric_threshold, again)
        _print_verdict(verdict, baseline_path, options.stat)
        _print_noise(run, before, options.stat, 'measure again on a quiet machine before reading a change that small')
        runs = [{'label': 'baseline', 'machine_class': machine, 'ratios': then}, entry]

    if options.history:
        history = _user_path(options.history)
        tracking.append_history(history, entry)
        runs = tracking.read_history(history)

    from inoxbench.plots import write_report  # matplotlib only when drawing

    for path in write_report(run, checks, verdict.families + verdict.metrics, runs, out, options.stat):
        print(f'track: wrote {path}')

    return _exit_code([] if options.update_baseline else verdict.failed, options)


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except (
        TrackError,
        tracking.MissingBaselineError,
        counting.ValgrindMissingError,
        counting.CountProcessError,
    ) as error:
        print(f'track: error: {error}', file=sys.stderr)
        sys.exit(2)
