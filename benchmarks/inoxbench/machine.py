r"""The machine class of a run: which committed baseline its ratios compare with."""

from __future__ import annotations

__all__ = ['cpu_count', 'machine_class']

import os


def cpu_count() -> int:
    r"""The number of cores this process may run on."""

    if hasattr(os, 'sched_getaffinity'):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def machine_class(platform: str, device_kind: str, cores: int) -> str:
    r"""Names the class of a machine from its JAX device.

    Example:
        >>> machine_class('cpu', 'cpu', 2), machine_class('gpu', 'NVIDIA H100 80GB HBM3', 16)
        ('cpu-2core', 'h100')
    """

    if platform == 'cpu':
        return f'cpu-{cores}core'
    words = [w for w in device_kind.lower().split() if w not in ('nvidia', 'tesla', 'amd')]
    return words[0] if words else platform
