r"""Tests of the instruction counter under a real Valgrind: what the client requests count."""

import json
import os
import re
import subprocess
import sys
import textwrap

from inoxbench import counting

SCRIPT = textwrap.dedent(
    """
    import sys
    from inoxbench.counting import CountSession

    def loop(n):
        return lambda: sum(i * i for i in range(n))

    session = CountSession(sys.argv[-1].split('=', 1)[1])
    for n in (1000, 2000, 1000):
        session.record(f'loop{n}', 'g', dict(n=n), loop(n))
    session.pytest_sessionfinish()
    """
)


def test_a_count_is_of_the_call_alone_and_repeats(tmp_path):
    script = tmp_path / 'script.py'
    script.write_text(SCRIPT)
    path = str(tmp_path / 'counts.json')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), PYTHONHASHSEED='0')
    subprocess.run(counting.command([sys.executable, str(script)], path), env=env, check=True)
    document = json.load(open(path))
    counts = [b['stats']['instructions'] for b in document['benchmarks']]
    # Twice the iterations, about twice the instructions; the same call, the same count.
    assert 1.9 < counts[1] / counts[0] < 2.1
    assert abs(counts[2] / counts[0] - 1) < 0.005
    assert 0 < document['machine_info']['overhead_instructions'] < counts[0] / 10
    assert document['machine_info']['stack'] == counting.stack()
    # Each dump is read, then removed (callgrind's own dump at exit stays).
    assert [name for name in os.listdir(tmp_path) if re.fullmatch(r'.*\.callgrind\.\d+\.\d+', name)] == []
