r"""pytest-benchmark JSON files of one run, merged and indexed.

Each process of the suite writes its own JSON. :func:`merge` concatenates their
benchmarks into one document in pytest-benchmark's own format (so that
``pytest-benchmark compare`` reads it too), without what every benchmark repeats or
cannot serialize (raw timings, options, parameter objects), and with one extra key,
``processes``, holding each process's ``machine_info``; baselines are such documents.
"""

from __future__ import annotations

__all__ = ['Run', 'merge', 'read', 'write']

import json
from collections.abc import Iterable
from typing import Any

Key = tuple[str, str, int, str]  # (op, peer, n, variant)


def read(path: str) -> dict[str, Any]:
    r"""Reads a pytest-benchmark JSON file."""

    with open(path) as f:
        return json.load(f)


# Same for every benchmark (options), or a repr of the Case object (params).
_DROPPED = ('options', 'params')
# The statistics that pytest-benchmark's tables show (the others follow from the timings), and
# the instruction count of a count process (inoxbench/counting.py).
_STATS = ('min', 'max', 'mean', 'stddev', 'median', 'iqr', 'outliers', 'ops', 'rounds', 'iterations', 'instructions')
# What a process's machine_info says about the class of its machine.
_MACHINE = (
    'node',
    'python_version',
    'cores',
    'jax_version',
    'jax_platform',
    'jax_device_kind',
    'machine_class',
    'stack',
    'overhead_instructions',
)


def _rounded(value: Any) -> Any:
    # Five significant digits: far finer than the noise, and half the size on disk.
    return float(f'{value:.5g}') if isinstance(value, float) else value


def write(path: str, document: dict[str, Any]) -> None:
    r"""Writes a merged document with one benchmark per line, for readable diffs."""

    head = {k: v for k, v in document.items() if k != 'benchmarks'}
    lines = [json.dumps(b, sort_keys=True) for b in document.get('benchmarks', [])]
    text = json.dumps(head, indent=1, sort_keys=True)
    with open(path, 'w') as f:
        f.write(text[:-1].rstrip() + ',\n "benchmarks": [\n  ' + ',\n  '.join(lines) + '\n ]\n}\n')


def merge(documents: Iterable[dict[str, Any]]) -> dict[str, Any]:
    r"""Merges the JSON documents of the processes of one run.

    Example:
        >>> a = {'machine_info': {'node': 'x', 'cpu': {}}, 'benchmarks': [{'name': 'a',
        ...      'stats': {'min': 1, 'data': [1]}, 'extra_info': {'process': 'p'}}]}
        >>> merged = merge([a])
        >>> merged['benchmarks'][0]['stats'], merged['processes']
        ({'min': 1}, {'p': {'node': 'x'}})
    """

    merged: dict[str, Any] = {'benchmarks': [], 'processes': {}}
    for document in documents:
        for key in ('machine_info', 'commit_info', 'datetime', 'version'):
            if key in document:
                merged.setdefault(key, document[key])
        for benchmark in document.get('benchmarks', []):
            benchmark = {k: v for k, v in benchmark.items() if k not in _DROPPED}
            benchmark['stats'] = {k: _rounded(v) for k, v in benchmark['stats'].items() if k in _STATS}
            merged['benchmarks'].append(benchmark)
            process = benchmark.get('extra_info', {}).get('process')
            if process is not None:
                machine = document.get('machine_info', {})
                merged['processes'][process] = {k: machine[k] for k in _MACHINE if k in machine}
        merged['processes'].update(document.get('processes', {}))
    return merged


FLOOR = 'floor'


class Run:
    r"""The benchmarks of a merged document, by ``(op, peer, n, variant)``.

    Every process measures its own floor; :meth:`floor` gives the one measured in the
    same process as a peer, and the peer ``'floor'`` is that of the first process.

    Arguments:
        document: A document as returned by :func:`merge`.
    """

    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.entries: dict[Key, dict[str, Any]] = {}
        self.floors: dict[tuple[str, str, int, str], dict[str, Any]] = {}
        for benchmark in document.get('benchmarks', []):
            info = benchmark.get('extra_info', {})
            if 'op' not in info:
                continue
            key = (info['op'], info['peer'], info['n'], info['variant'])
            if info['peer'] == FLOOR:
                self.floors[(info.get('process'),) + key[:1] + key[2:]] = benchmark
                if key in self.entries:
                    continue
            self.entries[key] = benchmark

    def floor(self, op: str, peer: str, n: int, variant: str) -> dict[str, Any] | None:
        r"""The floor's benchmark of the same operation and shape, in the process that
        measured ``peer``."""

        entry = self.entries.get((op, peer, n, variant))
        if entry is None:
            return None
        return self.floors.get((entry.get('extra_info', {}).get('process'), op, n, variant))

    @property
    def machine_class(self) -> str | None:
        r"""The machine class recorded by the processes (see :mod:`.machine`)."""

        return self._agreed('machine_class')

    @property
    def stack(self) -> str | None:
        r"""The software stack of a count run (see :func:`.counting.stack`)."""

        return self._agreed('stack')

    def _agreed(self, name: str) -> str | None:
        values = {info.get(name) for info in self.document.get('processes', {}).values()}
        values.discard(None)
        if not values:
            return self.document.get('machine_info', {}).get(name)
        if len(values) > 1:
            raise ValueError(f'the processes of one run disagree on the {name}: {sorted(values)}')
        return values.pop()

    def time(self, op: str, peer: str, n: int, variant: str, stat: str = 'min') -> float | None:
        r"""A statistic of one benchmark in seconds, or None if it did not run."""

        entry = self.entries.get((op, peer, n, variant))
        return None if entry is None else entry['stats'][stat]

    def info(self, op: str, peer: str, n: int, variant: str, name: str) -> Any:
        r"""An ``extra_info`` value of one benchmark, or None."""

        entry = self.entries.get((op, peer, n, variant))
        return None if entry is None else entry.get('extra_info', {}).get(name)

    def keys(self) -> list[Key]:
        r"""The ``(op, peer, n, variant)`` of every benchmark, sorted."""

        return sorted(self.entries)
