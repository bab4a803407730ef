r"""Adapter of inox 0.5.0 from PyPI (run it in a process of its own: it is ``inox`` too)."""

from .released import ReleasedAdapter, require_version

require_version('0.5.0')


class Inox050Adapter(ReleasedAdapter):
    r"""inox 0.5.0."""

    name = 'inox-0.5.0'


ADAPTER = Inox050Adapter()
