r"""Running the properties: the pytest plugin (:mod:`.plugin`, the entry point), the
declaration of properties (:mod:`.harness`), hypothesis profiles (:mod:`.profiles`),
checks in fresh or bounded processes (:mod:`.fresh`) and counterexamples as the report
keeps them (:mod:`.counterexamples`)."""
