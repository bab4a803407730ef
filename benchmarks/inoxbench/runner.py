r"""The entry point of a benchmark process, and the check of which inox it imports.

A test file ends with ``sys.exit(main(__file__, sys.argv[1:]))`` under
``__name__ == '__main__'``, so the same file is the Bazel target's main and the
module that pytest collects. Under ``bazel test``, the JSON goes to the test's
undeclared outputs and the JUnit XML where Bazel expects it.
"""

from __future__ import annotations

__all__ = ['checkout_inox_error', 'main']

import os

import pytest

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main(test_file: str, argv: list[str]) -> int:
    r"""Runs pytest on ``test_file`` with the options of ``pytest.ini`` beside it."""

    here = os.path.dirname(os.path.abspath(test_file))
    args = ['-c', os.path.join(here, 'pytest.ini'), '--rootdir', here]
    outputs = os.environ.get('TEST_UNDECLARED_OUTPUTS_DIR')
    if outputs and not any(arg.startswith('--benchmark-json') for arg in argv):
        stem = os.path.splitext(os.path.basename(test_file))[0]
        args.append('--benchmark-json=' + os.path.join(outputs, stem + '.json'))
    if 'XML_OUTPUT_FILE' in os.environ:
        args += ['--junitxml', os.environ['XML_OUTPUT_FILE']]
    return int(pytest.main(args + argv + [test_file]))


def checkout_inox_error() -> str | None:
    r"""Why the peers of this checkout cannot be measured here, or None: ``import inox``
    must find the inox of this repository."""

    import inox

    # Real paths: Bazel's runfiles are links into the checkout.
    found = os.path.realpath(inox.__file__)
    if found.startswith(os.path.join(os.path.realpath(REPOSITORY), 'inox') + os.sep):
        return None
    return (
        f'the peers of this checkout measure the inox of {REPOSITORY}, but inox {inox.__version__} '
        f'at {found} comes first on sys.path (a release is measured with --peers=floor,inox_X_Y_Z)'
    )
