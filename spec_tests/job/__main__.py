r"""``python -m spec_tests.job``: the conformance job without Bazel (every
implementation then runs in this Python environment)."""

import sys

from spec_tests.job.main import main

sys.exit(main())
