r"""The suite's pytest plugin.

Options:
    --impl NAME: The implementation to test: a short name of
        :data:`spec_tests.adapters.IMPLEMENTATIONS` or ``module.path[:ATTRIBUTE]`` of an
        adapter (default ``reference``).
    --spec-profile NAME: The hypothesis profile (see :mod:`spec_tests.runner.profiles`); the default is
        ``INOX_HYPOTHESIS_PROFILE``, else ``ci``.
    --spec-report PATH: Write the outcome of every property, with its SPEC.md id and
        its shrunk counterexample, as JSON.
    --spec-progress: Print one line per finished test, and ``start SPEC-IDS NODEID`` as each test
        starts (for the conformance job, whose watchdog tells from them what was running).
    --spec-results PATH: Append each finished test's result to PATH as a JSON line, as it
        finishes: what the job keeps of a run that dies.
    --spec-trying PATH: Before each example runs, write it to PATH as JSON (its test and
        drawn arguments), replacing the last: what the job names when an example hangs or
        kills the process.
    --spec-exclude PATH: Do not run the tests whose node ids PATH lists, one a line: the
        job resumes a run that died without the tests done or failed already.

It provides the session fixture ``impl`` (the adapter) and the marker ``spec(ID)``,
and runs the tests of SPEC.md's foundations before the others. A test that skips with a
reason starting with ``n.a.`` is reported as *not applicable* (the implementation lacks
what it checks): so are, without running, the tests of the ids that the adapter
declares ``not_applicable``. Installed with the package,
it is registered as the ``pytest11`` entry point ``spec_tests.runner.plugin``;
``spec_tests/conftest.py`` registers it otherwise.
"""

import json
import os
import platform
import time
from typing import Any

import pytest

from . import profiles
from .counterexamples import jsonable
from .harness import SPEC_FEATURES, SPEC_FOUNDATIONS, SPEC_IDS, Record, close_record, open_record

#: The distinct failures of one test that a report shows (the most recent ones).
MAX_FAILURES = 3


def pytest_addoption(parser):
    group = parser.getgroup('spec_tests', 'weight-sharing conformance suite')
    group.addoption(
        '--impl',
        default='reference',
        help='the implementation to test: a short name or module.path[:ATTRIBUTE] of an adapter',
    )
    group.addoption(
        '--spec-profile',
        choices=profiles.PROFILES,
        default=None,
        help=f'hypothesis profile (default: ${profiles.ENV}, else ci)',
    )
    group.addoption('--spec-report', default=None, metavar='PATH', help='write the outcome of every property as JSON')
    group.addoption('--spec-progress', action='store_true', help='print one line per started and finished test')
    group.addoption('--spec-results', default=None, metavar='PATH', help='append each result to PATH as JSON lines')
    group.addoption('--spec-trying', default=None, metavar='PATH', help='write each example to PATH before it runs')
    group.addoption('--spec-exclude', default=None, metavar='PATH', help='do not run the node ids listed in PATH')


def pytest_configure(config):
    config.addinivalue_line('markers', 'spec(id): the SPEC.md rule that a test checks')
    profile = config.getoption('spec_profile')
    if profile:
        os.environ[profiles.ENV] = profile  # read when the test modules are imported
    profiles.active()  # fail early on an unknown profile
    config._spec_tests = _Collector(config, open_record(config.getoption('spec_trying')))
    config.pluginmanager.register(config._spec_tests, 'spec_tests.collector')


def pytest_unconfigure(config):
    close_record()


@pytest.fixture(scope='session')
def impl(pytestconfig):
    r"""The adapter of the implementation under test."""

    from ..adapters import load

    return load(pytestconfig.getoption('impl'))


@pytest.fixture(autouse=True)
def _applicable(request):
    r"""Reports a test of a rule that the adapter declares not applicable as such, with
    the adapter's reason, before its examples run."""

    ids = [m.args[0] for m in request.node.iter_markers('spec')]
    if ids:
        reasons = request.getfixturevalue('impl').not_applicable
        for spec_id in ids:
            if spec_id in reasons:
                pytest.skip(f'n.a.: {reasons[spec_id]}')


def pytest_collection_modifyitems(config, items):
    r"""Runs the tests of SPEC.md's foundations first, the others in their own order: the
    rules above them are observed through them, so their outcome is the first to read.
    Leaves out the tests of ``--spec-exclude`` (by exact node id, where ``--deselect``
    takes prefixes)."""

    path = config.getoption('spec_exclude')
    if path:
        with open(path) as f:
            excluded = set(f.read().splitlines())  # a parametrized id may hold spaces
        config.hook.pytest_deselected(items=[item for item in items if item.nodeid in excluded])
        items[:] = [item for item in items if item.nodeid not in excluded]
    items.sort(key=lambda item: not any(m.args[0] in SPEC_FOUNDATIONS for m in item.iter_markers('spec')))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    item.config._spec_tests.record.current = item.nodeid
    yield


class _Collector:
    r"""Gathers the outcome of each test for ``--spec-report`` and ``--spec-progress``."""

    def __init__(self, config, record: Record):
        self.config = config
        self.record = record
        self.results: dict[str, dict[str, Any]] = {}
        self.ids: dict[str, list[str]] = {}
        self.total = 0
        self.started = time.time()

    def pytest_collection_finish(self, session):
        self.total = len(session.items)
        for item in session.items:
            self.ids[item.nodeid] = [m.args[0] for m in item.iter_markers('spec')]

    def pytest_runtest_logstart(self, nodeid, location):
        if self.config.getoption('spec_progress'):
            self._progress(f'start {",".join(self.ids.get(nodeid, [])) or "-"} {nodeid}')

    def _progress(self, line: str) -> None:
        # The terminal reporter writes where pytest's output capture does not reach.
        self.config.pluginmanager.get_plugin('terminalreporter').write_line(f'[spec_tests] {line}', flush=True)

    def _append(self, result: dict[str, Any]) -> None:
        path = self.config.getoption('spec_results')
        if path:
            with open(path, 'a') as f:
                f.write(json.dumps(result) + '\n')

    def pytest_runtest_logreport(self, report):
        result = self.results.setdefault(
            report.nodeid,
            {
                'test': report.nodeid,
                'spec': self.ids.get(report.nodeid, []),
                'outcome': 'passed',
                'duration': 0.0,
            },
        )
        result['duration'] += report.duration
        if report.failed:
            result['outcome'] = 'failed' if report.when == 'call' else 'error'
            found = list(self.record.failures.get(report.nodeid, {}).values())[-MAX_FAILURES:]
            result['failures'] = [
                {'message': f['error'][:3000], 'counterexample': {k: jsonable(v) for k, v in f['arguments'].items()}}
                for f in found
            ] or [{'message': _message(report), 'counterexample': {}}]
        elif report.skipped and result['outcome'] == 'passed':
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            reason = reason.removeprefix('Skipped: ')
            result['outcome'] = 'n.a.' if reason.startswith('n.a.') else 'skipped'
            result['message'] = reason
        if report.when == 'teardown' or (report.failed and report.when == 'setup'):
            result['examples'] = self.record.calls.get(report.nodeid, 0)
            if report.nodeid in self.record.unbuildable:  # not examples of the rule: said, not hidden
                result['unbuildable'] = self.record.unbuildable[report.nodeid]
            self._append(result)
            if self.config.getoption('spec_progress'):
                done = sum(1 for r in self.results.values() if 'examples' in r)
                spec = ','.join(result['spec']) or '-'
                examples = f', {result["examples"]} examples' if result['examples'] else ''
                if 'unbuildable' in result:
                    examples += f', {result["unbuildable"]} not buildable'
                self._progress(
                    f'{done}/{self.total} {result["outcome"]:7} {spec} '
                    f'{report.nodeid.split("::")[-1]} ({result["duration"]:.1f}s{examples})'
                )

    def pytest_sessionfinish(self, session):
        path = self.config.getoption('spec_report')
        if not path:
            return
        adapter = _adapter_summary(self.config)
        report = {
            'impl': self.config.getoption('impl'),
            **adapter,
            'profile': profiles.active(),
            'python': platform.python_version(),
            'jax': _version('jax'),
            'seconds': round(time.time() - self.started, 2),
            'spec_ids': list(SPEC_IDS),
            'spec_features': SPEC_FEATURES,
            'spec_foundations': SPEC_FOUNDATIONS,
            'results': list(self.results.values()),
        }
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(report, f, indent=1)


def _adapter_summary(config) -> dict[str, Any]:
    from ..adapters import load

    try:
        adapter = load(config.getoption('impl'))
    except Exception as error:  # the report says why the column is empty
        return {'name': config.getoption('impl'), 'version': '', 'load_error': f'{type(error).__name__}: {error}'}
    return {'name': adapter.name, 'version': adapter.version(), 'features': sorted(adapter.features)}


def _version(module: str) -> str:
    try:
        return __import__(module).__version__
    except ImportError:
        return ''


def _message(report) -> str:
    text = getattr(report, 'longreprtext', '') or str(report.longrepr)
    lines = [line for line in text.splitlines() if line.startswith('E ')]
    return '\n'.join(line[1:].strip() for line in lines[:30]) or text[-3000:]
