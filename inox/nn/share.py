r"""Sharing modules

In a plain :class:`inox.nn.module.Module`, two attributes that hold the same layer or
parameter are flattened as two separate copies: after any transformation their
weights are no longer tied. A :class:`Scope` keeps them tied when the shared object
is wrapped in a :class:`Reference`.

The rules, in the order a flatten applies them (their ids are those of SPEC.md):

- SHARE-SCOPE-NAMESPACE: a :class:`Scope` opens a tag namespace for everything below
  it, up to the next inner :class:`Scope`, which opens its own.
- SHARE-PRUNE-FIRST: in a scope, the first occurrence of a tag in flatten order
  (attributes sorted by name, depth first) is canonical: its value is flattened.
  Every later occurrence of the tag is pruned: it contributes no leaves, only its tag
  to the structure.
- SHARE-TAG-CONFLICT and SHARE-ALIAS: later occurrences must hold the same object as
  the canonical one; otherwise :class:`TagConflictError`. One object must not be held
  under two tags, or under References of two scopes; otherwise :class:`AliasError`
  (the tie could not be kept).
- SHARE-ROUNDTRIP-IDENTITY: unflatten gives every occurrence of a tag in a scope one
  and the same :class:`Reference` object, so ties and cycles through References come
  back by identity.
- SHARE-UNSCOPED: outside any scope, a :class:`Reference` is a plain wrapper: its
  value is flattened at every occurrence, and a cycle through it is a
  :class:`~inox.tree.CycleError`, as is a scope that contains itself
  (SHARE-SELF-SCOPE).

The page's example, an MLP with one tied layer and one tied parameter, lives in
``inox/examples/seed_example.py`` only: ``inox/tests/test_seed_example.py`` checks that
it prints what the page shows. ``./bazelw run //inox:seed_example`` runs it.
"""

from __future__ import annotations

__all__ = [
    'AliasError',
    'Reference',
    'Scope',
    'TagConflictError',
    'TagTable',
]

from collections.abc import Hashable
from typing import Any

import jax.tree_util as jtu

from ..pretty import Doc, wrap
from ..tree import Node, Walk, is_node
from ..tree.paths import path_of, shown
from .module import Module


class TagConflictError(ValueError):
    r"""Raised when two References with the same tag in one scope hold different
    objects (SHARE-TAG-CONFLICT); its message is built from its attributes.

    Attributes:
        tags: The tag, as a 1-tuple.
        paths: The path strings of the canonical Reference and of the conflicting one.
        kinds: The type names of the two values they hold.

    Example:
        >>> error = TagConflictError('w', ('.a', '.b'), ('list', 'dict'))
        >>> error.tags, str(error)  # doctest: +ELLIPSIS
        (('w',), "tag 'w' holds a list at .a and a different dict at .b; ...")
    """

    def __init__(self, tag: Hashable, paths: tuple[str, str], kinds: tuple[str, str]):
        self.tags, self.paths, self.kinds = (tag,), paths, kinds
        super().__init__(
            f'tag {tag!r} holds a {kinds[0]} at {shown(paths[0])} and a different {kinds[1]} '
            f'at {shown(paths[1])}; References with the same tag in one Scope must hold the same object'
        )

    def __reduce__(self):
        return TagConflictError, (self.tags[0], self.paths, self.kinds)


class AliasError(ValueError):
    r"""Raised when one object is held by References with different tags, or by
    References of different scopes, so that flattening would silently untie it
    (SHARE-ALIAS); its message is built from its attributes.

    Attributes:
        tags: The tags of the two References, the first met first.
        paths: Their path strings.
        kinds: The type name of the object, as a 1-tuple.
        same_scope: Whether both References are in one Scope.

    Example:
        >>> error = AliasError(('u', 'v'), ('.a', '.b'), 'Module', same_scope=True)
        >>> error.tags, str(error)  # doctest: +ELLIPSIS
        (('u', 'v'), "the same Module is held by a Reference with tag 'u' at .a and ... in the same Scope; ...")
    """

    def __init__(self, tags: tuple[Hashable, Hashable], paths: tuple[str, str], kind: str, same_scope: bool):
        self.tags, self.paths, self.kinds, self.same_scope = tags, paths, (kind,), same_scope
        super().__init__(
            f'the same {kind} is held by a Reference with tag {tags[0]!r} at {shown(paths[0])} '
            f'and by one with tag {tags[1]!r} at {shown(paths[1])} '
            f'{"in the same Scope" if same_scope else "in another Scope"}; '
            'a shared object needs exactly one tag in one Scope'
        )

    def __reduce__(self):
        return AliasError, (self.tags, self.paths, self.kinds[0], self.same_scope)


class TagTable:
    r"""The tags met so far in one scope, during one walk: the context that a
    :class:`Scope` gives the nodes below it (SHARE-SCOPE-NAMESPACE).

    Attributes:
        ordinal: The number of the scope in the walk, from 1: the structure tells
            the References of two scopes apart by it.
        tags: The canonical Reference of each tag, with its :py:`walk.link`
            (SHARE-PRUNE-FIRST).
        claims: The tag, scope ordinal and :py:`walk.link` of the canonical Reference
            that holds each value, by :py:`id`: one dict for all the tables of a walk
            (SHARE-ALIAS).

    Example:
        >>> walk = inox.tree.Walk()
        >>> outer, inner = TagTable.open(walk), TagTable.open(walk)
        >>> inner.ordinal, inner.claims is outer.claims
        (2, True)
    """

    __slots__ = ('ordinal', 'tags', 'claims')

    def __init__(self, ordinal: int, claims: dict[int, tuple]):
        self.ordinal = ordinal
        self.tags: dict[Hashable, tuple[Reference, Any]] = {}
        self.claims = claims

    @staticmethod
    def open(walk: Walk) -> TagTable:
        r"""Returns the table of a new scope of the walk."""

        last = walk.memo.get(TagTable)  # the table opened last in this walk
        table = TagTable(1, {}) if last is None else TagTable(last.ordinal + 1, last.claims)
        walk.memo[TagTable] = table
        return table


class Scope(Module):
    r"""Subclass of :class:`inox.nn.module.Module` which handles shared object
    references within its scope.

    All references with the same tag in a scope are the same: one copy is flattened,
    the others are pruned, and unflattening restores them as one object. Cyclic
    references are allowed, except a scope that contains itself.

    Warning:
        Shared references and in-place mutations are hard to combine: mutate the
        referenced value (``ref.value.x = ...``), never replace one occurrence only.
        :class:`Reference` works with :mod:`inox.nn.state`.

    Arguments:
        kwargs: A name-value mapping.
    """

    def __tree_context__(self, walk: Walk) -> TagTable:
        r"""Opens the tag namespace of this scope for the nodes below it
        (SHARE-SCOPE-NAMESPACE)."""

        return TagTable.open(walk)


_VALUE_KEY = [jtu.GetAttrKey('value')]
_LENIENT_ROOT = 'inox.nn.share: the tags met outside any scope by a lenient walk'


class Reference(Node):
    r"""Creates a reference to a value.

    A :class:`Reference` forwards :py:`__call__` and attribute reads, writes and
    deletions to its value. For indexing (:py:`__getitem__`) or arithmetic
    (:py:`+`, :py:`*`, ...), use :py:`ref.value` directly. Its own :py:`tag` and
    :py:`value` are not forwarded: assigning either rebinds the reference.

    See also:
        :class:`Scope`

    Arguments:
        tag: A hashable identification tag.
        value: The value to reference.

    Example:
        >>> weight = Reference('my-ref', Parameter(jnp.ones((3, 5))))
        >>> weight  # repr preceded by an asterisk
        *Parameter(float32[3, 5])
        >>> weight.shape
        (3, 5)
        >>> weight()
        Array([[1., 1., 1., 1., 1.],
               [1., 1., 1., 1., 1.],
               [1., 1., 1., 1., 1.]], dtype=float32)
    """

    __slots__ = ('tag', 'value')

    def __init__(self, tag: Hashable, value: Any):
        _set_tag(self, _hashable(tag))
        _set_value(self, value)

    def __call__(self, *args, **kwargs) -> Any:
        return self.value(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name in ('tag', 'value') or name.startswith('__'):
            raise AttributeError(name)
        return getattr(self.value, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == 'tag':  # SHARE-FORWARD: the Reference's own attributes rebind it
            _set_tag(self, _hashable(value))
        elif name == 'value':
            _set_value(self, value)
        else:
            setattr(self.value, name, value)

    def __delattr__(self, name: str) -> None:
        if name in ('tag', 'value'):
            raise AttributeError(f'a Reference cannot lose its {name}; assign a new one instead')
        delattr(self.value, name)

    def __tree_tags__(self) -> tuple:
        r"""The tags that errors name this Reference by: its own (TREE-CYCLE-ERROR)."""

        return (self.tag,)

    def __tree_flatten__(self, walk: Walk):
        tag, value, table = self.tag, self.value, walk.context
        if table is None:
            if not walk.lenient:  # SHARE-UNSCOPED: a plain wrapper
                return _VALUE_KEY, [value], (tag, 0)
            table = _lenient_root(walk)  # SHARE-REPR: a repr marks repeats anywhere

        canonical = table.tags.get(tag)
        if canonical is None:  # SHARE-PRUNE-FIRST: the first occurrence is canonical
            table.tags[tag] = (self, walk.link)
            _claim(value, tag, table, walk)
            return _VALUE_KEY, [value], (tag, table.ordinal)

        first, link = canonical
        if first is self or first.value is value:  # SHARE-PRUNE-FIRST: pruned
            return (), (), (tag, table.ordinal)

        if walk.lenient:  # SHARE-REPR: a repr shows both values rather than fail
            return _VALUE_KEY, [value], (tag, table.ordinal)

        raise TagConflictError(  # SHARE-TAG-CONFLICT
            tag,
            (str(path_of(link)), str(walk.path())),
            (type(first.value).__name__, type(value).__name__),
        )

    @classmethod
    def __tree_unflatten__(cls, aux: tuple, children: list, shared: dict) -> Reference:
        tag, scope = aux
        if not scope:  # SHARE-UNSCOPED
            return cls(tag, children[0])

        reference = shared.get(aux)  # SHARE-ROUNDTRIP-IDENTITY: one object per tag and scope
        if reference is None:
            reference = shared[aux] = object.__new__(cls)
            _set_tag(reference, tag)
        if children:
            _set_value(reference, children[0])
        return reference

    @classmethod
    def __tree_repr__(cls, aux: tuple, children: list[Doc], **kwargs) -> Doc:
        return wrap('*', children[0]) if children else f'@{aux[0]}'


# The slots' own setters, which Reference.__setattr__ and unflatten use.
_set_tag, _set_value = Reference.tag.__set__, Reference.value.__set__  # pyright: ignore[reportAttributeAccessIssue]


def _hashable(tag: Any) -> Hashable:
    r"""Returns :py:`tag` if it can be a tag (SHARE-TAG-HASHABLE)."""

    try:
        hash(tag)
    except Exception as error:  # a __hash__ may raise anything
        raise TypeError(f'a Reference tag must be hashable, got {tag!r} of type {type(tag).__name__}') from error
    return tag


def _lenient_root(walk: Walk) -> TagTable:
    r"""The table of the References outside any scope in a lenient walk, made when the
    first one is met."""

    table = walk.memo.get(_LENIENT_ROOT)
    if table is None:
        table = walk.memo[_LENIENT_ROOT] = TagTable.open(walk)
    return table


def _claim(value: Any, tag: Hashable, table: TagTable, walk: Walk) -> None:
    r"""Records that :py:`value` is held under :py:`tag` in the scope of :py:`table`
    (SHARE-ALIAS)."""

    owner = table.claims.get(id(value))
    if owner is None:
        table.claims[id(value)] = (tag, table.ordinal, walk.link)
        return
    if walk.lenient or not is_node(value):
        return  # arrays and static values are values: there is no identity to keep

    other_tag, other_scope, link = owner
    raise AliasError(
        (other_tag, tag),
        (str(path_of(link)), str(walk.path())),
        type(value).__name__,
        same_scope=other_scope == table.ordinal,
    )
