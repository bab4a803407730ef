r"""The memory that a flatten allocates, measured with :mod:`tracemalloc`.

Only allocations made through Python's allocator are seen: a peer whose flatten
runs in C++ (JAX's own tree walk) shows only the Python objects it returns.
"""

from __future__ import annotations

__all__ = ['flatten_memory']

import gc
import tracemalloc
from typing import Any


def flatten_memory(peer: Any, model: Any) -> dict[str, int]:
    r"""Flattens ``model`` once under :mod:`tracemalloc`.

    Returns:
        ``flatten_peak_bytes``, the most memory held at once during the flatten;
        ``flatten_retained_bytes``, what its result holds; ``leaves``, the number of
        leaves it returned, and ``array_leaves``, those that are arrays.
    """

    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        flat = peer.flatten(model)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    leaves = peer.leaves(flat)
    return {
        'flatten_peak_bytes': peak - before,
        'flatten_retained_bytes': current - before,
        'leaves': len(leaves),
        'array_leaves': sum(1 for leaf in leaves if hasattr(leaf, 'shape') and hasattr(leaf, 'dtype')),
    }
