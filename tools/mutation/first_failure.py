r"""Pytest plugin of mutation runs: records the first failing test of each mutant.

mutmut runs the suite for each mutant in a child process whose ``MUTANT_UNDER_TEST``
names the mutant, and keeps only its exit code. This plugin appends one JSON line
(mutant, test node id, SPEC ids of the test's ``spec`` markers, the error) to
``first_failures.jsonl`` in the working directory, mutmut's ``mutants/``, which
``tools/mutation/run.py`` joins into its report.
"""

import json
import os

import pytest

PATH = 'first_failures.jsonl'


class _Seen:
    failed = False


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    mutant = os.environ.get('MUTANT_UNDER_TEST', '')
    # mutmut's own runs are named 'stats', 'fail' and '': a mutant's name has a module path.
    if report.failed and not _Seen.failed and '.' in mutant:
        _Seen.failed = True
        line = json.dumps(
            {
                'mutant': mutant,
                'test': item.nodeid,
                'spec': [m.args[0] for m in item.iter_markers('spec')],
                'error': call.excinfo.exconly()[:500] if call.excinfo else '',
            }
        )
        # One write of one line with O_APPEND: children running at once do not interleave.
        fd = os.open(PATH, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, (line + '\n').encode())
        finally:
            os.close(fd)
    return report
