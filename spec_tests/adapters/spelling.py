r"""Names that spell their pieces, each after its length, for the classes that the suite
makes as it runs (:mod:`.equinox`, :mod:`spec_tests.oracle.user_classes`). Pickle finds a
class by its name; a name that reads back into its pieces lets a module make the class
again, also in a process that never made it.

Example:
    >>> spell(('a', 'b2', ''))
    '1a2b20'
    >>> unspell('1a2b20')
    ['a', 'b2', '']
    >>> unspell('1a2') is None, unspell('x1a') is None
    (True, True)
"""

from collections.abc import Iterable


def spell(pieces: Iterable[str]) -> str:
    r"""The pieces, each after its length."""

    return ''.join(f'{len(piece)}{piece}' for piece in pieces)


def unspell(text: str) -> list[str] | None:
    r"""The pieces that :func:`spell` made ``text`` of, or None where it makes no such text."""

    pieces = []
    while text:
        digits = len(text) - len(text.lstrip('0123456789'))
        if not digits:
            return None
        size = int(text[:digits])
        if len(text) < digits + size:
            return None
        pieces.append(text[digits : digits + size])
        text = text[digits + size :]
    return pieces
