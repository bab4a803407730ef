r"""Runs the suite's conformance tests (``-m spec``: not its self-tests, which check the
suite rather than the implementation) against one implementation: the main of the
per-implementation binaries that the conformance job starts, one process each.

Usage: ``python -m spec_tests.job.worker --impl NAME [--report PATH] [--profile PROFILE]
[-- PYTEST_ARGS]``.
"""

import argparse
import os
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
    options = parser.parse_args(argv)

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
    return int(pytest.main(args + extra))


def _installed() -> bool:
    r"""Whether pytest loads the plugin by itself, as the entry point of an installed
    package (registering it a second time under another name is an error)."""

    autoload = not os.environ.get('PYTEST_DISABLE_PLUGIN_AUTOLOAD')
    return autoload and any(e.value == 'spec_tests.runner.plugin' for e in entry_points(group='pytest11'))


if __name__ == '__main__':
    sys.exit(main())
