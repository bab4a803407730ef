r"""Adapter of inox 0.8.0 from PyPI (run it in a process of its own: it is ``inox`` too)."""

from .released import ReleasedAdapter, require_version

require_version('0.8.0')


class Inox080Adapter(ReleasedAdapter):
    r"""inox 0.8.0."""

    name = 'inox-0.8.0'
    reference_key = 'obj'  # renamed from `value` in 0.8.0


ADAPTER = Inox080Adapter()
