r"""Registers :mod:`spec_tests.runner.plugin` when pytest did not load it as an entry point
(a run from the source tree, or under Bazel)."""


def pytest_addoption(parser, pluginmanager):
    from spec_tests.runner import plugin

    if not pluginmanager.is_registered(plugin):
        # Registering calls the plugin's own pytest_addoption (a historic hook).
        pluginmanager.register(plugin, 'spec_tests.runner.plugin')
