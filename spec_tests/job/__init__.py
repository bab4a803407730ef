r"""The conformance job: runs the suite against every implementation, each in a process
of its own, and reports the matrix of SPEC ids by implementations as text, JSON and
HTML (see :mod:`spec_tests.job.main`)."""
