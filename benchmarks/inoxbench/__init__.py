r"""The benchmark suite of inox beside its peers, and its regression tracking.

The test files next to this package (``current_test.py``, ``inox_0_8_0_test.py``) run
the suite of :mod:`inoxbench.suite` on the peers they name, one process each;
``track.py`` runs them, merges their pytest-benchmark JSON and compares it with a
committed baseline.
"""
