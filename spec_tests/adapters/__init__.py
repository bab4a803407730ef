r"""Adapters: one module per implementation, each with a module-level ``ADAPTER``.

An implementation is named by a short name of :data:`IMPLEMENTATIONS` or by
``module.path`` (or ``module.path:ATTRIBUTE``) of any importable adapter.
"""

import importlib

from .base import SPEC_ERRORS, Adapter

#: Short names of the adapters in this repository.
IMPLEMENTATIONS = {
    'reference': 'spec_tests.adapters.reference',
    'inox-0.8.0': 'spec_tests.adapters.inox_0_8_0',
    'inox-0.7.1': 'spec_tests.adapters.inox_0_7_1',
    'inox-0.5.0': 'spec_tests.adapters.inox_0_5_0',
}


def load(spec: str) -> Adapter:
    r"""Imports the adapter named ``spec``.

    Example:
        >>> load('reference').name
        'reference'
    """

    spec = IMPLEMENTATIONS.get(spec, spec)
    module, _, attribute = spec.partition(':')
    adapter = getattr(importlib.import_module(module), attribute or 'ADAPTER')
    if not isinstance(adapter, Adapter):
        raise TypeError(f'{spec} is a {type(adapter).__name__}, not a spec_tests Adapter')
    return adapter


__all__ = ['Adapter', 'IMPLEMENTATIONS', 'SPEC_ERRORS', 'load']
