r"""Adapters: the reference's, the released inox versions' (made from the catalogue,
``spec_tests/catalogue.bzl``), the other frameworks' of the catalogue (a module of this
package each), or any importable module with a module-level ``ADAPTER``.

An implementation is named by a short name of :data:`IMPLEMENTATIONS` or by
``module.path`` (or ``module.path:ATTRIBUTE``) of any importable adapter.
"""

import ast
import importlib
import os

from .base import SPEC_ERRORS, Adapter, ErrorFields


def _catalogue(name: str) -> list[dict]:
    r"""The list ``name`` of the catalogue, ``spec_tests/catalogue.bzl``."""

    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'catalogue.bzl')
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    (value,) = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and [getattr(t, 'id', None) for t in node.targets] == [name]
    ]
    return ast.literal_eval(value)


def releases() -> list[dict]:
    r"""The releases of the catalogue, newest first: ``version``, ``adapter`` (options of
    :func:`.released.adapter`) and ``peer`` (a benchmark peer, or None).

    Example:
        >>> releases()[-1]['version']
        '0.5.0'
    """

    return _catalogue('RELEASES')


def frameworks() -> list[dict]:
    r"""The other frameworks of the catalogue: ``name`` (also their adapter's module in
    this package) and ``packages`` (of the main lock).

    Example:
        >>> [f['name'] for f in frameworks()]
        ['nnx', 'nnx_jax', 'equinox']
    """

    return _catalogue('FRAMEWORKS')


#: Short names of the adapters in this repository, each with the options of its release (None
#: for this checkout's and the frameworks): the reference, the fast implementation
#: (``inox.fast``), the releases, newest first, then the other frameworks.
IMPLEMENTATIONS: dict[str, dict | None] = {
    'reference': None,
    'fast': None,
    **{f'inox-{release["version"]}': release['adapter'] for release in releases()},
    **{framework['name']: None for framework in frameworks()},
}


def load(spec: str) -> Adapter:
    r"""Imports the adapter named ``spec``.

    Example:
        >>> load('reference').name
        'reference'
    """

    if spec in IMPLEMENTATIONS:
        options = IMPLEMENTATIONS[spec]
        if options is not None:  # a release
            from .released import adapter as released

            return released(spec.removeprefix('inox-'), **options)
        spec = f'{__name__}.{spec}'  # a module of this package
    module, _, attribute = spec.partition(':')
    adapter = getattr(importlib.import_module(module), attribute or 'ADAPTER')
    if not isinstance(adapter, Adapter):
        raise TypeError(f'{spec} is a {type(adapter).__name__}, not a spec_tests Adapter')
    return adapter


__all__ = ['Adapter', 'ErrorFields', 'IMPLEMENTATIONS', 'SPEC_ERRORS', 'frameworks', 'load', 'releases']
