r"""Runs the whole suite against one implementation: the main of the per-implementation
binaries that the conformance job starts, one process each.

Usage: ``python -m spec_tests.suite --impl NAME [--report PATH] [--profile ci|thorough]
[-- PYTEST_ARGS]``.
"""

import argparse
import os
import sys

from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra: List[str] = []
    if '--' in argv:
        argv, extra = argv[: argv.index('--')], argv[argv.index('--') + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--impl', required=True, help='short name or module.path of an adapter')
    parser.add_argument('--report', help='write the JSON report there')
    parser.add_argument('--profile', choices=('ci', 'thorough'), help='hypothesis profile')
    options = parser.parse_args(argv)

    import pytest

    package = os.path.dirname(os.path.abspath(__file__))
    args = [
        package,
        '-p', 'spec_tests.plugin',
        '-p', 'no:cacheprovider',
        # Append, not prepend: the folder above spec_tests may hold another `inox`
        # (the reference one, in the runfiles of the conformance job).
        '--import-mode=append',
        '--rootdir', os.path.dirname(package),
        '-c', os.devnull,
        '-q', '-rN',
        '--impl', options.impl,
        '--spec-progress',
    ]
    if options.report:
        args += ['--spec-report', options.report]
    if options.profile:
        args += ['--spec-profile', options.profile]
    return int(pytest.main(args + extra))


if __name__ == '__main__':
    sys.exit(main())
