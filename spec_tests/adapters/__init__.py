r"""Adapters: one module per implementation, each with a module-level ``ADAPTER``.

An implementation is named by a short name of :data:`IMPLEMENTATIONS` or by
``module.path`` (or ``module.path:ATTRIBUTE``) of any importable adapter.
"""

import importlib
import pkgutil
import re

from .base import SPEC_ERRORS, Adapter, ErrorFields


def _released() -> dict[str, str]:
    # One module inox_X_Y_Z per released inox, so that adding a release is adding its module.
    found = (re.fullmatch(r'inox_(\d+)_(\d+)_(\d+)', m.name) for m in pkgutil.iter_modules(__path__))
    versions = sorted((tuple(int(n) for n in match.groups()) for match in found if match), reverse=True)
    return {'inox-' + '.'.join(map(str, v)): f'{__name__}.inox_' + '_'.join(map(str, v)) for v in versions}


#: Short names of the adapters in this repository: the reference, then the releases, newest first.
IMPLEMENTATIONS = {'reference': f'{__name__}.reference', **_released()}


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


__all__ = ['Adapter', 'ErrorFields', 'IMPLEMENTATIONS', 'SPEC_ERRORS', 'load']
