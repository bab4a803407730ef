r"""Adapter of inox 0.7.1 from PyPI (run it in a process of its own: it is ``inox`` too)."""

from .released import ReleasedAdapter, require_version

require_version('0.7.1')


class Inox071Adapter(ReleasedAdapter):
    r"""inox 0.7.1."""

    name = 'inox-0.7.1'


ADAPTER = Inox071Adapter()
