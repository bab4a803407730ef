"""pytest plugin of conformance_test (tools/conformance.bzl): runs the core of SPEC.md and the
optional features that the implementation claims, and deselects the tests of the others.

So `bazel test` fails where the conformance job does: on the core or on a claimed feature.
`--conformance-features=a,b` names the claimed features (empty: the core only); without it,
those that the adapter declares in its `features`.
"""

import pytest


def pytest_addoption(parser):
    parser.addoption(
        '--conformance-features',
        default=None,
        metavar='A,B',
        help="the optional features of SPEC.md to check (default: the adapter's own)",
    )


def pytest_configure(config):
    from spec_tests.runner.harness import FEATURES

    option = config.getoption('conformance_features')
    config._conformance_features = None if option is None else {f for f in option.split(',') if f}
    unknown = (config._conformance_features or set()) - set(FEATURES)
    if unknown:
        raise pytest.UsageError(
            f"conformance_test: no feature {', '.join(sorted(unknown))} in SPEC.md (it has: {', '.join(FEATURES)})"
        )


def pytest_collection_modifyitems(config, items):
    from spec_tests.adapters import load
    from spec_tests.runner.harness import SPEC_FEATURES

    if config._conformance_features is None:
        # Imported here, not at configure: an adapter that fails to import fails its tests.
        try:
            config._conformance_features = set(load(config.getoption('impl')).features)
        except Exception:
            return  # every test fails on the adapter, loudly
    claimed = config._conformance_features

    def wanted(item):
        return all(SPEC_FEATURES[m.args[0]] in (None, *claimed) for m in item.iter_markers('spec'))

    config.hook.pytest_deselected(items=[item for item in items if not wanted(item)])
    items[:] = [item for item in items if wanted(item)]


def pytest_report_collectionfinish(config):
    from spec_tests.runner.harness import FEATURES

    claimed = config._conformance_features or set()
    not_run = ', '.join(f for f in FEATURES if f not in claimed) or 'none'
    return f"conformance: the core and the features: {', '.join(sorted(claimed)) or 'none'}; not run: {not_run}"
