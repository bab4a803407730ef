r"""Expected results: the failures that an implementation is known to have, so that the
job can run it, show them, and still pass.

The file is JSON: per implementation name, the SPEC ids it fails, each with a one-line
reason::

    {"inox-0.8.0": {"SHARE-FORWARD": "assigning .tag or .value does not rebind"}}

Example:
    >>> import json, tempfile
    >>> with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
    ...     json.dump({'x': {'NOPE': 'why'}}, f)
    >>> load(f.name)
    Traceback (most recent call last):
    ...
    spec_tests.job.expected.ExpectedResultsError: ...: x lists NOPE, which is no id of SPEC.md
"""

import json

from ..runner.harness import SPEC_FEATURES
from .matrix import Expected


class ExpectedResultsError(ValueError):
    r"""An expected-results file that cannot be read or is not of the documented form."""


def load(path: str) -> Expected:
    r"""The expected results in ``path``.

    Raises:
        ExpectedResultsError: If the file is missing, not JSON, not of the form above,
            or names an id that SPEC.md lacks.
    """

    try:
        with open(path, encoding='utf-8') as f:
            found = json.load(f)
    except (OSError, json.JSONDecodeError) as error:
        raise ExpectedResultsError(f'{path}: {error}') from error
    if not isinstance(found, dict):
        raise ExpectedResultsError(f'{path}: expected an object of implementation names')
    for name, failures in found.items():
        if not isinstance(failures, dict) or not all(isinstance(v, str) for v in failures.values()):
            raise ExpectedResultsError(f'{path}: {name} must map SPEC ids to one-line reasons')
        for spec in failures:
            if spec not in SPEC_FEATURES:
                raise ExpectedResultsError(f'{path}: {name} lists {spec}, which is no id of SPEC.md')
    return found
