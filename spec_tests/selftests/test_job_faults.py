r"""Self-tests of the conformance job against implementations that misbehave (no SPEC
id): each fake adapter, written into ``tmp_path``, is the reference with one fault in one
property (a hang, a SIGABRT, unbounded allocation) or a misspelt module. The job runs
three properties of it (``-k``), so each test takes seconds: the faulty one must fail
alone, the two others keep their verdict, and the reports are written."""

import json
import os
import sys
import time

import pytest

from ..job import main

# The faulty property deepcopies and pickles a Reference; the two others do neither.
_FAULTY = 'test_protocols_are_not_forwarded'
_OTHERS = {
    'SHARE-TREE-MAP': 'test_apis_over_several_trees',
    'TREE-ORDER': 'test_leaves_in_flatten_order_with_full_paths',
}
_SELECT = ' or '.join([_FAULTY, *_OTHERS.values()])

_ADAPTER = '''
import os
import sys
import time

import inox.nn as nn

from spec_tests.adapters.reference import ReferenceAdapter


class FaultyReference(nn.Reference):
{methods}

class Faulty(ReferenceAdapter):
    name = 'faulty'
    Reference = FaultyReference


ADAPTER = Faulty()
'''

_HANG = '''
    def __deepcopy__(self, memo):
        time.sleep(3600)
'''
_ABORT = '''
    def __reduce_ex__(self, protocol):
        os.abort()
'''
_HOG = '''
    def __deepcopy__(self, memo):
        held = []
        while True:
            held.append(bytes(2**27))  # calloc: address space, not pages the machine must find
'''


#: Seconds within which each faulty run must end: far above its limits (a hang never
#: ends by itself) and the time two processes of a loaded machine take to start jax.
BOUND = 240


def _job(tmp_path, monkeypatch, methods: str, *options: str) -> tuple[int, dict, float]:
    r"""Runs the job on the reference with ``methods`` in its Reference; returns the exit
    status, the matrix and the wall time."""

    (tmp_path / 'faulty.py').write_text(_ADAPTER.format(methods=methods))
    # The worker sees this interpreter's path (under Bazel, the packages of the test's deps) and the fake.
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join([str(tmp_path), *sys.path]))
    out = tmp_path / 'out'
    started = time.monotonic()
    status = main.main(['--impl', 'faulty', '--out', str(out), '-k', _SELECT, *options])
    seconds = time.monotonic() - started
    for name in ('conformance.json', 'conformance.xml', 'conformance.html'):
        assert (out / name).exists(), name
    return status, json.loads((out / 'conformance.json').read_text()), seconds


def _assert_confined(built: dict, fault: str, message: str) -> str:
    r"""Only SHARE-FORWARD fails, with ``fault`` and ``message``, naming the example it was
    trying (its drawn ``tag`` and ``held``); the others pass. Returns the failed test's message."""

    rows = built['rows']
    assert {spec: rows[spec]['faulty']['verdict'] for spec in _OTHERS} == dict.fromkeys(_OTHERS, 'pass')
    cell = rows['SHARE-FORWARD']['faulty']
    assert cell['verdict'] == 'FAIL' and cell.get('fault') == fault
    (failed,) = [t for t in cell['tests'] if t['outcome'] == 'failed']
    text = failed['failures'][0]['message']
    assert message + ', trying the example shown as its counterexample' in text, text
    assert set(failed['failures'][0]['counterexample']) == {'tag', 'held'}, failed
    return text


def test_a_hang_fails_its_rule_with_a_timeout_and_the_others_run(tmp_path, monkeypatch):
    status, built, seconds = _job(tmp_path, monkeypatch, _HANG, '--test-timeout', '20')

    text = _assert_confined(
        built, 'timeout', f'timed out after 20 s (--test-timeout) in spec_tests/test_share.py::{_FAULTY}'
    )
    assert 'in __deepcopy__' in text  # the traceback that faulthandler printed on SIGUSR1
    assert status == 1 and seconds < BOUND
    page = (tmp_path / 'out' / 'conformance.html').read_text()
    assert '<b>(timeout)</b>' in page


def test_a_crash_fails_its_rule_and_the_others_resume(tmp_path, monkeypatch):
    status, built, seconds = _job(tmp_path, monkeypatch, _ABORT)

    text = _assert_confined(
        built, 'crash', f'the process died with SIGABRT (signal 6) while running spec_tests/test_share.py::{_FAULTY}'
    )
    assert '__reduce_ex__' in text  # faulthandler's traceback of the crash
    assert status == 1 and seconds < BOUND


def test_a_memory_hog_gets_a_memory_error_not_the_oom_killer(tmp_path, monkeypatch):
    status, built, seconds = _job(tmp_path, monkeypatch, _HOG, '--memory-limit', '2GiB', '--test-timeout', '60')

    rows = built['rows']
    assert {spec: rows[spec]['faulty']['verdict'] for spec in _OTHERS} == dict.fromkeys(_OTHERS, 'pass')
    cell = rows['SHARE-FORWARD']['faulty']
    # Whichever thread meets the limit fails: the property's, with a MemoryError, or one of
    # XLA's, which aborts the process (seen under Bazel) or waits for memory that never
    # comes (seen twice in full runs: then the timeout names the limit); either way that
    # test alone fails.
    assert cell['verdict'] == 'FAIL'
    tests = json.dumps(cell['tests'])
    assert 'MemoryError' in tests or cell.get('fault') == 'crash' or 'at its --memory-limit of 2 GiB' in tests, cell
    assert status == 1 and seconds < BOUND


def test_the_whole_run_is_bounded_by_timeout_even_when_silent(tmp_path, monkeypatch):
    status, built, seconds = _job(tmp_path, monkeypatch, _HANG, '--timeout', '60')

    assert status == 1 and seconds < BOUND
    column = built['columns'][0]
    assert 'timed out after 60 s (--timeout)' in column['crash']
    assert built['rows']['SHARE-FORWARD']['faulty'].get('fault') == 'timeout'


@pytest.mark.parametrize('impl', ['no_such_module', 'os', 'reference:NOPE'])
def test_an_impl_that_cannot_be_loaded_is_a_usage_error(impl, tmp_path, capsys):
    started = time.monotonic()
    status = main.main(['--impl', 'reference', '--impl', impl, '--out', str(tmp_path / 'out')])

    assert status == 2 and time.monotonic() - started < BOUND
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and impl.partition(':')[0] in error, error
    assert not (tmp_path / 'out' / 'logs' / 'reference.log').exists()  # no suite ran


def test_help_states_the_limits_defaults(capsys):
    with pytest.raises(SystemExit):
        main.main(['--help'])
    text = capsys.readouterr().out
    assert 'ci 300 s' in text and 'default 8GiB' in text and 'not pytest-timeout' in text
