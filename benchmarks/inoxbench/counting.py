r"""Instruction counts of the benchmarks, under Valgrind's callgrind.

A time depends on the machine's load; the number of instructions that a call executes
does not. A count process runs the suite under ``valgrind --tool=callgrind
--instr-atstart=no`` (see :func:`command`), with the pytest option ``--counts FILE``:
the ``meter`` fixture of ``conftest.py`` is then a :class:`Counter` instead of
pytest-benchmark's fixture, and the process writes the counts to ``FILE`` in
pytest-benchmark's JSON format, the statistic being ``instructions``, so that
:class:`.results.Run` and :mod:`.tracking` read them as they read times.

Each count is of exactly one call: the call runs :data:`WARMUP` times first (Python 3.12
specializes its bytecode on the first calls, and jit tracing and compilation happen
before the measure too), the cycle collector is emptied (it stays on: collecting
what the call allocates is counted, as it is timed by :mod:`.timing`), then callgrind's client
requests switch instrumentation on, zero the counters, and dump them right after the
call (:class:`Callgrind`). What the requests themselves execute around the call is
measured once per process on an empty call and subtracted.

The environment is fixed so that the same code counts the same: no address space
randomization (``setarch -R``: addresses are the hashes of many objects),
``PYTHONHASHSEED=0``, every process runs the same benchmarks in the same order, and its
environment variables are those of :func:`environment` alone. Python copies every variable
into ``os.environ`` at start-up, so their lengths move where every later object lies:
measured on the count processes, 3,000 bytes more of environment moved families by up to
0.75% and single counts by up to 1.1%, against a gate of 1.25% and 3.5%. With the
variables of the shell, a count would depend on who runs it, from where.
"""

from __future__ import annotations

__all__ = [
    'COUNT_SIZES',
    'Callgrind',
    'CountProcessError',
    'CountSession',
    'Counter',
    'KEPT_VARIABLES',
    'PROCESSES',
    'SCRATCH_ROOT',
    'ValgrindMissingError',
    'WARMUP',
    'command',
    'count',
    'environment',
    'read_dump',
    'stack',
]

import concurrent.futures
import ctypes
import gc
import json
import mmap
import os
import platform
import shlex
import shutil
import statistics
import subprocess
from collections.abc import Callable
from importlib import metadata
from typing import Any

# Calls before the counted one. Measured on a Scope of 100 layers: after one warm-up call,
# unflatten counts 0.4% more than after three; five change nothing past 0.1%.
WARMUP = 3

# The software stack that a count depends on, beside the code: its baseline is keyed by it.
STACK_PACKAGES = ('jax', 'jaxlib', 'numpy')


# The count processes, side by side (the machine class has 2 cores): each runs the same
# variants every time, so that what ran before a count in its process never changes.
PROCESSES = (('tied0', 'tied50'), ('tied90', 'cyclic'))
# Where the count processes' files go: their paths are in every process's command line,
# whose length, like the environment's, moves where objects lie; TMPDIR may name any folder.
SCRATCH_ROOT = '/tmp'
# Counted sizes: at N=100 a count already holds a hundred nodes' costs exactly, while under
# callgrind N=1,000 takes about ten times as long (benchmarks/README.md).
COUNT_SIZES = (10, 100)


class ValgrindMissingError(RuntimeError):
    r"""Raised when counts are asked for and valgrind cannot be run."""


class CountProcessError(RuntimeError):
    r"""Raised when a count process fails or writes no counts; the message ends with the
    tail of its output."""


def _request_function() -> tuple[Callable[[Any], int], mmap.mmap]:
    # Valgrind recognizes a client request by a sequence of rotations of rdi that leaves it
    # unchanged, followed by `xchg rbx, rbx`: rax points to the request's six words, and the
    # answer comes back in rdx, which keeps its default (0) when not under Valgrind. Built in
    # memory and called through ctypes, so no C compiler is needed (x86-64 only).
    code = bytes.fromhex(
        '4889f8'  # mov rax, rdi
        '31d2'  # xor edx, edx
        '48c1c703'
        '48c1c70d'
        '48c1c73d'
        '48c1c733'  # rol rdi, 3 / 13 / 61 / 51
        '4887db'  # xchg rbx, rbx
        '4889d0'  # mov rax, rdx
        'c3'  # ret
    )
    page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(code)
    address = ctypes.addressof(ctypes.c_char.from_buffer(page))
    return ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_void_p)(address), page


_Words = ctypes.c_size_t * 6
_CALLGRIND = (ord('C') << 24) | (ord('T') << 16)  # valgrind's VG_USERREQ_TOOL_BASE('C', 'T')
_RUNNING_ON_VALGRIND = 0x1001


class Callgrind:
    r"""Callgrind's client requests (``callgrind.h``) from Python.

    Outside Valgrind every request does nothing and answers 0:

    Example:
        >>> Callgrind().running()
        False
    """

    def __init__(self) -> None:
        if platform.machine() not in ('x86_64', 'AMD64'):
            raise ValgrindMissingError(f'instruction counts need an x86-64 machine, not {platform.machine()}')
        self._request, self._page = _request_function()  # the page must outlive the function
        # The words of each request are made once, so that making them is never counted.
        self._start = _Words(_CALLGRIND + 4)
        self._zero = _Words(_CALLGRIND + 1)
        self._stop = _Words(_CALLGRIND + 5)
        self._names: list[ctypes.Array[ctypes.c_char]] = []

    def running(self) -> bool:
        r"""Whether this process runs under Valgrind."""

        return self._request(_Words(_RUNNING_ON_VALGRIND)) > 0

    def count(self, name: str, fn: Callable[[], Any]) -> Any:
        r"""Calls ``fn`` once with instrumentation on, and dumps the counters as ``name``:
        callgrind writes the dump to its next output file (see :func:`read_dump`)."""

        label = ctypes.create_string_buffer(name.encode())
        self._names.append(label)
        dump = _Words(_CALLGRIND + 3, ctypes.addressof(label))
        request = self._request
        request(self._start)
        request(self._zero)
        result = fn()
        request(dump)
        request(self._stop)
        return result


def read_dump(path: str) -> tuple[str, int]:
    r"""The name and the instruction count of one callgrind dump.

    Example:
        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile('w', suffix='.1', delete=False) as f:
        ...     _ = f.write('desc: Trigger: Client Request: flatten/scope/N10-tied0\nevents: Ir\ntotals: 1234\n')
        >>> read_dump(f.name)
        ('flatten/scope/N10-tied0', 1234)
    """

    name, total = None, None
    with open(path) as f:
        for line in f:
            if line.startswith('desc: Trigger: Client Request: '):
                name = line.split(': ', 3)[3].strip()
            elif line.startswith('totals: '):
                total = int(line.split()[1])
    if name is None or total is None:
        raise ValueError(f'{path}: not a callgrind dump made by a client request')
    return name, total


class CountSession:
    r"""The counts of one process: a pytest plugin that writes them when the session ends.

    Arguments:
        path: The JSON file to write; callgrind's dumps are beside it (see :func:`command`).
    """

    def __init__(self, path: str):
        self.path = path
        self.dumps = f'{_dump_base(path)}.{os.getpid()}'
        self.callgrind = Callgrind()
        if not self.callgrind.running():
            raise ValgrindMissingError(
                '--counts needs this process to run under valgrind --tool=callgrind (track --counts starts it so)'
            )
        self.benchmarks: list[dict[str, Any]] = []
        self._dumped = 0
        # What the requests around a call execute, measured on an empty call.
        self.overhead = statistics.median(self._count('overhead', lambda: None) for _ in range(3))

    def _count(self, name: str, fn: Callable[[], Any]) -> int:
        for _ in range(WARMUP):
            fn()
        gc.collect()  # the same collector state before every count
        self.callgrind.count(name, fn)
        self._dumped += 1
        path = f'{self.dumps}.{self._dumped}'
        dumped, instructions = read_dump(path)
        os.remove(path)  # a dump holds every function's count: hundreds of kilobytes
        if dumped != name:
            raise RuntimeError(f'{self.dumps}.{self._dumped}: a dump of {dumped!r}, expected {name!r}')
        return instructions

    def record(self, name: str, group: str, extra_info: dict[str, Any], fn: Callable[[], Any]) -> None:
        r"""Counts ``fn`` and keeps the count as benchmark ``name``."""

        instructions = self._count(name, fn) - self.overhead
        self.benchmarks.append(
            {'name': name, 'group': group, 'stats': {'instructions': instructions}, 'extra_info': dict(extra_info)}
        )

    def pytest_sessionfinish(self) -> None:
        machine_info = {'node': platform.node(), 'overhead_instructions': self.overhead, 'stack': stack()}
        with open(self.path, 'w') as f:
            json.dump({'machine_info': machine_info, 'benchmarks': self.benchmarks}, f, indent=1)


class Counter:
    r"""Stands in for pytest-benchmark's fixture in a count process: the same ``group``,
    ``extra_info``, call and ``pedantic``, but each counts one call (after warm-up)."""

    def __init__(self, session: CountSession, name: str):
        self.session, self.name = session, name
        self.group: str | None = None
        self.extra_info: dict[str, Any] = {}
        self.stats = None

    def __call__(self, fn: Callable[[], Any]) -> None:
        self.session.record(self.name, self.group or '', self.extra_info, fn)

    def pedantic(self, fn: Callable[[], Any], rounds: int = 1, iterations: int = 1) -> None:
        del rounds, iterations  # one counted call is exact
        self(fn)


def stack() -> str:
    r"""The software stack that counts depend on, as the name of its baseline: the Python
    version, those of :data:`STACK_PACKAGES`, and the C library's, whose code (``malloc``,
    ``memcpy``) runs inside the counted calls.

    Example:
        >>> stack().startswith('python' + platform.python_version() + '-jax')
        True
    """

    versions = [f'python{platform.python_version()}']
    versions += [f'{name}{metadata.version(name)}' for name in STACK_PACKAGES]
    versions.append(''.join(platform.libc_ver()))
    return '-'.join(versions)


def _dump_base(path: str) -> str:
    return path + '.callgrind'


def command(argv: list[str], path: str) -> list[str]:
    r"""The command that runs ``argv``, a benchmark process's command line, as a count
    process that writes its counts to ``path``; callgrind's dumps go beside it, to
    ``<path>.callgrind.<pid>.<n>``.
    """

    valgrind = shutil.which('valgrind')
    if valgrind is None:
        raise ValgrindMissingError(
            'valgrind not found: install it (Debian: apt-get install valgrind; ./bazelw does as root)'
        )
    return [
        'setarch',
        platform.machine(),
        '-R',  # no address space randomization
        valgrind,
        '--tool=callgrind',
        '--instr-atstart=no',  # instrumented only between the requests: fast start-up
        '--trace-children=yes',  # through the exec of a launcher script (Bazel's py_binary)
        f'--callgrind-out-file={_dump_base(path)}.%p',
        '--quiet',
        *argv,
        f'--counts={path}',
    ]


# What a count process keeps of its parent's environment, by prefix: where its files are
# (Bazel's runfiles, and the path that --against puts another inox on) and jax's settings.
KEPT_VARIABLES = ('JAX_', 'PYTHONPATH', 'RUNFILES_', 'XLA_')


def environment(parent: dict[str, str], layout: int = 0) -> dict[str, str]:
    r"""The environment of a count process: the variables of ``parent`` that
    :data:`KEPT_VARIABLES` names, and fixed values for the rest (the system's default
    ``PATH``, a UTF-8 locale, ``PYTHONHASHSEED=0``). Layout ``k`` above 0 adds a variable of
    ``k`` KiB, which moves where the process's objects lie: a count that changes with it
    alone is not the code's.

    Example:
        >>> environment({'HOME': '/root', 'JAX_PLATFORMS': 'cpu', 'PATH': '/opt/bin:/usr/bin'})
        {'JAX_PLATFORMS': 'cpu', 'LANG': 'C.UTF-8', 'PATH': '/bin:/usr/bin', 'PYTHONHASHSEED': '0'}
        >>> len(environment({}, layout=2)['INOXBENCH_LAYOUT'])
        2048
    """

    env = {name: value for name, value in parent.items() if name.startswith(KEPT_VARIABLES)}
    env.update(LANG='C.UTF-8', PATH=os.defpath, PYTHONHASHSEED='0')
    if layout:
        env['INOXBENCH_LAYOUT'] = '.' * (1024 * layout)
    return dict(sorted(env.items()))


def count(
    argv: list[str],
    env: dict[str, str],
    scratch: str,
    label: str,
    layout: int = 0,
    sizes: tuple[int, ...] = COUNT_SIZES,
) -> list[dict[str, Any]]:
    r"""Runs the count processes of :data:`PROCESSES` side by side, each ``argv`` (a
    benchmark process's command line, choosing peers and pytest options) on its variants at
    ``sizes``, under callgrind, in the :func:`environment` of ``env`` and ``layout``;
    returns the documents they wrote. ``label`` names their files in the folder ``scratch``.
    """

    jobs = []
    for index, variants in enumerate(PROCESSES):
        path = os.path.join(scratch, f'{label}-{index}.json')
        shapes = [f'--variants={",".join(variants)}', f'--sizes={",".join(map(str, sizes))}']
        jobs.append((path, command(argv + shapes, path)))

    def run(job: tuple[str, list[str]]) -> dict[str, Any]:
        path, job_argv = job
        with open(path + '.log', 'w') as out:
            code = subprocess.call(job_argv, env=environment(env, layout), stdout=out, stderr=subprocess.STDOUT)
        if code != 0 or not os.path.exists(path):
            with open(path + '.log') as f:
                tail = ''.join(f.readlines()[-20:])
            raise CountProcessError(f'the count process {shlex.join(job_argv)} failed with exit code {code}:\n{tail}')
        with open(path) as f:
            return json.load(f)

    with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(run, jobs))
