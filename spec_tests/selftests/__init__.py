r"""Self-tests of the suite (no SPEC id: its strategies, its adapter mutants, the job's
reports). They check the suite, not an implementation, and are not installed with it."""
