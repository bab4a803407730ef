r"""The benchmark suite of inox beside its peers, and its regression tracking.

``bench_test.py`` next to this package runs the benchmarks on the peers a process
chooses (``--peers``): this checkout's in one process, each benchmarked release of inox
in one of its own. ``track.py`` runs them, merges their pytest-benchmark JSON and
compares it with a committed baseline; with ``--counts`` it counts instructions instead
(:mod:`inoxbench.counting`).
"""
