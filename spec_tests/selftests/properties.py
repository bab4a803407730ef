r"""The properties of the suite, as the self-tests look them up: every test function of
the ``test_*.py`` modules beside the self-tests that carries a SPEC id."""

import importlib
import os
from collections.abc import Callable

#: The package of the properties: the one above the self-tests.
PACKAGE = __name__.rsplit('.', 2)[0]


def spec_ids(test: Callable) -> list[str]:
    r"""The SPEC ids that ``test`` is tagged with."""

    return [m.args[0] for m in getattr(test, 'pytestmark', []) if m.name == 'spec']


def properties() -> dict[str, Callable]:
    r"""Every tagged test, by ``file.py::name``."""

    folder = os.path.dirname(os.path.dirname(__file__))
    found = {}
    for file in sorted(os.listdir(folder)):
        if file.startswith('test_') and file.endswith('.py'):
            module = importlib.import_module(f'{PACKAGE}.{file[:-3]}')
            for name, test in vars(module).items():
                if name.startswith('test_') and spec_ids(test):
                    found[f'{file}::{name}'] = test
    return found
