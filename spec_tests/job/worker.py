r"""Runs the suite's conformance tests (``-m spec``: not its self-tests, which check the
suite rather than the implementation) against one implementation: the main of the
per-implementation binaries that the conformance job starts, one process each.

Usage: ``python -m spec_tests.job.worker --impl NAME [--report PATH] [--profile PROFILE]
[--results PATH] [--trying PATH] [--exclude PATH] [--check] [-- PYTEST_ARGS]``.

``--check`` only loads the adapter: it prints its name, version and features as JSON, or
exits 2 with one line naming the module and the error, before any suite runs.
"""

import argparse
import faulthandler
import json
import os
import signal
import sys
from importlib.metadata import entry_points

import pytest

from spec_tests.runner.profiles import PROFILES


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra: list[str] = []
    if '--' in argv:
        argv, extra = argv[: argv.index('--')], argv[argv.index('--') + 1 :]
    parser = argparse.ArgumentParser(description=(__doc__ or '').splitlines()[0])
    parser.add_argument('--impl', required=True, help='short name or module.path of an adapter')
    parser.add_argument('--report', help='write the JSON report there')
    parser.add_argument('--profile', choices=PROFILES, help='hypothesis profile')
    parser.add_argument('--results', help='append each finished test\'s result there, as a JSON line')
    parser.add_argument('--trying', help='write each example there before it runs, as JSON')
    parser.add_argument('--exclude', help='a file of test node ids not to run, one a line')
    parser.add_argument('--check', action='store_true', help='only load the adapter (exit 2 if it cannot be)')
    options = parser.parse_args(argv)
    if options.check:
        return _check(options.impl)
    _dump_tracebacks()

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # spec_tests
    args = [
        package,
        '-p',
        'no:cacheprovider',
        # Append, not prepend: the folder above spec_tests may hold another `inox`
        # (the reference one, in the runfiles of the conformance job).
        '--import-mode=append',
        '--rootdir',
        os.path.dirname(package),
        '-c',
        os.devnull,
        '-q',
        '-rN',
        '-m',
        'spec',
        '--impl',
        options.impl,
        '--spec-progress',
    ]
    if not _installed():
        args += ['-p', 'spec_tests.runner.plugin']
    if options.report:
        args += ['--spec-report', options.report]
    if options.profile:
        args += ['--spec-profile', options.profile]
    if options.results:
        args += ['--spec-results', options.results]
    if options.trying:
        args += ['--spec-trying', options.trying]
    if options.exclude:
        args += ['--spec-exclude', options.exclude]
    return int(pytest.main(args + extra))


def _check(impl: str) -> int:
    r"""Loads the adapter ``impl``: prints its summary as JSON and returns 0, or prints
    one line on stderr and returns 2 (a usage error of the job)."""

    from spec_tests.adapters import load

    try:
        adapter = load(impl)
    except Exception as error:  # any import error of the module is the user's to read
        print(f'cannot load --impl {impl}: {type(error).__name__}: {error}'.splitlines()[0], file=sys.stderr)
        return 2
    print(json.dumps({'name': adapter.name, 'version': adapter.version(), 'features': sorted(adapter.features)}))
    return 0


# Kept open for the life of the process: faulthandler writes to its descriptor.
_STDERR: list = []


def _dump_tracebacks() -> None:
    r"""Has a fatal signal (SIGSEGV, SIGABRT...) print the Python traceback, and SIGUSR1
    (sent by the job before it kills a hung run) print every thread's, on the stderr the
    job reads, which pytest's capture does not replace."""

    _STDERR.append(os.fdopen(os.dup(2), 'w'))
    faulthandler.enable(file=_STDERR[0], all_threads=True)
    faulthandler.register(signal.SIGUSR1, file=_STDERR[0], all_threads=True)


def _installed() -> bool:
    r"""Whether pytest loads the plugin by itself, as the entry point of an installed
    package (registering it a second time under another name is an error)."""

    autoload = not os.environ.get('PYTEST_DISABLE_PLUGIN_AUTOLOAD')
    return autoload and any(e.value == 'spec_tests.runner.plugin' for e in entry_points(group='pytest11'))


if __name__ == '__main__':
    sys.exit(main())
