r"""Property-based conformance suite for weight sharing in JAX module trees.

The suite checks the rules of ``spec_tests/SPEC.md`` on random sharing graphs
(:mod:`spec_tests.graphs`), against any implementation that an adapter
(:mod:`spec_tests.adapters`) maps onto the suite's needs. Run it with
``pytest --pyargs spec_tests --impl=MODULE`` or ``bazel test //spec_tests``; the
conformance matrix of every adapter comes from ``bazel run //spec_tests:conformance``.
"""
