r"""Deliberately broken variants of the reference implementation.

Each mutant is an adapter whose classes subclass the reference ones and break one rule
of SPEC.md; ``test_mutants.py`` asserts that the suite rejects every one of them. They
are ordinary adapters too: ``pytest --pyargs spec_tests --impl
spec_tests.selftests.mutants:NO_PRUNING`` runs the whole suite against one.
"""

import collections.abc

import jax.numpy as jnp
import jax.tree_util as jtu
import numpy as np

import inox.nn as nn
import inox.tree

from ..adapters.reference import ReferenceAdapter


class ReversedModule(nn.Module):
    r"""Flattens its attributes in reverse order: the *last* occurrence of a tag in
    SPEC order becomes canonical."""

    def __tree_flatten__(self, walk):
        keys, values, names = super().__tree_flatten__(walk)
        return keys[::-1], values[::-1], names[::-1]


class ReversedScope(ReversedModule, nn.Scope):
    r"""A Scope that flattens its attributes in reverse order."""


class CopyingReference(nn.Reference):
    r"""Unflattens every occurrence of a tag in a scope as a Reference of its own, all
    holding the canonical value, instead of one Reference for all of them."""

    @classmethod
    def __tree_unflatten__(cls, aux, children, shared):
        if not aux[1]:
            return super().__tree_unflatten__(aux, children, shared)
        copies, value = shared.setdefault(('copies', aux), ([], []))
        copy = object.__new__(cls)
        object.__setattr__(copy, 'tag', aux[0])
        copies.append(copy)
        value.extend(children)  # the canonical occurrence may come before or after the others
        for reference in copies if value else ():
            object.__setattr__(reference, 'value', value[0])
        return copy


class ForgetfulReference(nn.Reference):
    r"""Unflattens a pruned occurrence inside its own value (a cycle) as a Reference to
    :py:`None`."""

    # Mutants change what a Reference flattens to on purpose; `walk.context` is a TagTable here (aux[1]).
    def __tree_flatten__(self, walk):  # pyright: ignore[reportIncompatibleMethodOverride]
        keys, children, aux = super().__tree_flatten__(walk)
        if aux[1] and not children and _below(walk.link, walk.context.tags[self.tag][1]):
            return keys, children, (*aux, 'forgotten')
        return keys, children, aux

    @classmethod
    def __tree_unflatten__(cls, aux, children, shared):
        if len(aux) == 3:
            return cls(aux[0], None)
        return super().__tree_unflatten__(aux, children, shared)


def _below(link, ancestor):
    r"""Whether the node at ``link`` lies below the node at ``ancestor`` (links are
    ``(parent link, key)`` pairs)."""

    while link is not None:
        link = link[0]
        if link is ancestor:
            return True
    return False


class TrustingReference(nn.Reference):
    r"""Prunes every later occurrence of a tag, whatever object it holds: no
    TagConflictError."""

    def __tree_flatten__(self, walk):
        table = walk.context
        if table is not None and self.tag in table.tags:
            return (), (), (self.tag, table.ordinal)
        return super().__tree_flatten__(walk)


class CarelessReference(nn.Reference):
    r"""Forgets which tag and scope hold an object (its claims go to a fresh dict each
    time): no AliasError."""

    def __tree_flatten__(self, walk):
        table = walk.context
        if table is None:
            return super().__tree_flatten__(walk)
        claims, table.claims = table.claims, {}
        try:
            return super().__tree_flatten__(walk)
        finally:
            table.claims = claims


class UnprunedReference(nn.Reference):
    r"""Flattens its value at every occurrence, as if outside any Scope."""

    def __tree_flatten__(self, walk):
        return [jtu.GetAttrKey('value')], [self.value], (self.tag, 0)


class OpenScope(nn.Scope):
    r"""A Scope that does not open a namespace: inner scopes share the outer one's."""

    def __tree_context__(self, walk):
        return walk.context


class _TaglessAux(tuple):
    r"""A Reference's ``(tag, scope)`` that compares and hashes by scope only."""

    def __eq__(self, other):
        return isinstance(other, tuple) and len(other) == 2 and self[1] == other[1]

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self[1])


class TaglessReference(nn.Reference):
    r"""Leaves its tag out of what tree definitions compare: trees that differ only by
    tags, or by which References tie which positions, share one definition (and one
    jit trace)."""

    def __tree_flatten__(self, walk):  # pyright: ignore[reportIncompatibleMethodOverride] (a mutant's aux)
        keys, children, aux = super().__tree_flatten__(walk)
        return keys, children, _TaglessAux(aux)

    @classmethod
    def __tree_unflatten__(cls, aux, children, shared):
        return super().__tree_unflatten__(tuple(aux), children, shared)


class _NamesAndMore:
    r"""A namespace mutant whose definition is ``(names, something more)``: rebuilt and
    shown from the names alone."""

    @classmethod
    def __tree_unflatten__(cls, aux, children, shared):
        return super().__tree_unflatten__(aux[0], children, shared)  # pyright: ignore[reportAttributeAccessIssue]

    @classmethod
    def __tree_repr__(cls, aux, children, **kwargs):
        return super().__tree_repr__(aux[0], children, **kwargs)  # pyright: ignore[reportAttributeAccessIssue]


class SelfishModule(_NamesAndMore, nn.Module):
    r"""Puts its own identity in its definition: equal structures built twice get
    unequal definitions, so APIs over two trees refuse them."""

    def __tree_flatten__(self, walk):
        keys, children, names = super().__tree_flatten__(walk)
        return keys, children, (names, id(self))


class SelfishScope(SelfishModule, nn.Scope):
    r"""A Scope with its identity in its definition."""


class ShallowCheckReference(nn.Reference):
    r"""Asks :class:`collections.abc.Hashable` instead of :func:`hash`: a tuple holding
    a list, or an object whose ``__hash__`` raises, becomes a tag."""

    def __init__(self, tag, value):
        if not isinstance(tag, collections.abc.Hashable):
            raise TypeError(f'a Reference tag must be hashable, got {type(tag).__name__}')
        object.__setattr__(self, 'tag', tag)
        object.__setattr__(self, 'value', value)


class ForwardingReference(nn.Reference):
    r"""Forwards every attribute write, ``tag`` and ``value`` included, to its value."""

    def __setattr__(self, name, value):
        setattr(self.value, name, value)


class _Mutant(ReferenceAdapter):
    def __init__(self, name: str, **classes):
        self.name = f'mutant:{name}'
        for key, value in classes.items():
            setattr(self, key, value)


CANONICAL_LAST = _Mutant('canonical-last', Module=ReversedModule, Scope=ReversedScope)
COPIES_NOT_IDENTITY = _Mutant('copies-not-identity', Reference=CopyingReference)
FORGETS_CYCLES = _Mutant('forgets-cycles', Reference=ForgetfulReference)
NO_CONFLICT_CHECK = _Mutant('no-conflict-check', Reference=TrustingReference)
NO_ALIAS_CHECK = _Mutant('no-alias-check', Reference=CarelessReference)
NO_PRUNING = _Mutant('no-pruning', Reference=UnprunedReference)
SHARED_NAMESPACES = _Mutant('shared-namespaces', Scope=OpenScope)
TAGLESS_DEFINITION = _Mutant('tagless-definition', Reference=TaglessReference)
IDENTITY_IN_DEFINITION = _Mutant('identity-in-definition', Module=SelfishModule, Scope=SelfishScope)
SHALLOW_HASH_CHECK = _Mutant('shallow-hash-check', Reference=ShallowCheckReference)
FORWARDED_ASSIGNMENT = _Mutant('forwarded-assignment', Reference=ForwardingReference)


class _ReferenceKeyedState(ReferenceAdapter):
    r"""Stores a mutation under its keys as given: a Reference to a StateKey becomes a
    key of the new state instead of indexing it."""

    name = 'mutant:reference-keyed-state'

    def update_state(self, state, mutation):
        unknown = [key for key in mutation if key not in state]
        if unknown:
            raise KeyError(f'unknown state keys {unknown}')
        new = nn.State(state)
        dict.update(new, mutation)
        return new


REFERENCE_KEYED_STATE = _ReferenceKeyedState()


#: The tag tables of the walk in progress, kept for the whole process (see RacyReference).
_TABLES: dict = {}


class RacyReference(nn.Reference):
    r"""Keeps the tag tables of scopes in one process-wide cache that a new walk empties:
    right in one thread, wrong when two walks overlap (a tag met by another walk counts
    as met, or a tag met before is forgotten)."""

    # Mutants reach into the walk on purpose: this one swaps the walk's tag table.
    def __tree_flatten__(self, walk):  # pyright: ignore[reportIncompatibleMethodOverride]
        if walk.context is not None:
            if RacyReference not in walk.memo:
                walk.memo[RacyReference] = True
                _TABLES.clear()
            walk.context = _TABLES.setdefault(walk.context.ordinal, walk.context)
        return super().__tree_flatten__(walk)


SHARED_WALK_STATE = _Mutant('shared-walk-state', Reference=RacyReference)


class _Pruned:
    r"""What :class:`PlaceholderReference` leaves among the leaves for a pruned
    occurrence: neither an array nor a static value."""

    def __repr__(self) -> str:
        return '<pruned>'


# The walk keeps static values out of the leaves; this mutant registers its marker (a
# class nothing else uses) as a leaf, in the walk's registry of kinds, on purpose.
inox.tree.kinds.KINDS[_Pruned] = inox.tree.kinds.LEAF


class PlaceholderReference(nn.Reference):
    r"""Flattens a pruned occurrence to a placeholder leaf instead of no leaf at all,
    and drops whatever takes its place when unflattened: the arrays and the ties stay
    right, only the leaves are one too many per pruned occurrence. (Not inside its own
    value: there a child would make the walk see a cycle, and raise.)"""

    # Mutants change what a Reference flattens to on purpose: a child for a pruned occurrence.
    def __tree_flatten__(self, walk):  # pyright: ignore[reportIncompatibleMethodOverride]
        keys, children, aux = super().__tree_flatten__(walk)
        if aux[1] and not children and not _below(walk.link, walk.context.tags[self.tag][1]):  # pyright: ignore
            return [jtu.GetAttrKey('value')], [_Pruned()], (*aux, 'pruned')
        return keys, children, aux

    @classmethod
    def __tree_unflatten__(cls, aux, children, shared):
        if len(aux) == 3:
            return super().__tree_unflatten__(aux[:2], [], shared)
        return super().__tree_unflatten__(aux, children, shared)


class ConvertingModule(nn.Module):
    r"""Unflattens its numpy arrays as jax arrays of the same values: equal leaves, but
    not the very objects given."""

    @classmethod
    def __tree_unflatten__(cls, names, children, shared):
        children = [jnp.asarray(c) if isinstance(c, np.ndarray) else c for c in children]
        return super().__tree_unflatten__(names, children, shared)


class ConvertingScope(ConvertingModule, nn.Scope):
    r"""A Scope that converts its numpy arrays when unflattened."""


PRUNED_PLACEHOLDER_LEAF = _Mutant('pruned-placeholder-leaf', Reference=PlaceholderReference)
CONVERTED_LEAVES = _Mutant('converted-leaves', Module=ConvertingModule, Scope=ConvertingScope)


class _KeylessNames(tuple):
    r"""A module's attribute names that compare and hash by their number only."""

    def __eq__(self, other):
        return isinstance(other, tuple) and len(self) == len(other)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(len(self))


class KeylessModule(nn.Module):
    r"""Leaves its attribute names out of what tree definitions compare: modules that
    differ only by the name of an attribute share one definition (and one jit trace)."""

    def __tree_flatten__(self, walk):  # pyright: ignore[reportIncompatibleMethodOverride] (a mutant's aux)
        keys, children, names = super().__tree_flatten__(walk)
        return keys, children, _KeylessNames(names)


class KeylessScope(KeylessModule, nn.Scope):
    r"""A Scope whose attribute names are left out of its definition."""


class ValuedParameter(_NamesAndMore, nn.Parameter):
    r"""Puts the bytes of its array in its definition: trees that differ only by leaf
    values get unequal definitions."""

    def __tree_flatten__(self, walk):  # pyright: ignore[reportIncompatibleMethodOverride] (a mutant's aux)
        keys, children, names = super().__tree_flatten__(walk)
        return keys, children, (names, np.asarray(self.value).tobytes())


KEYLESS_DEFINITION = _Mutant('keyless-definition', Module=KeylessModule, Scope=KeylessScope)
VALUES_IN_DEFINITION = _Mutant('values-in-definition', Parameter=ValuedParameter)


def _path_to(root, target):
    r"""The key path string from ``root`` down to the object ``target``, through the
    nodes the walk knows, or :py:`None` if ``target`` is not below ``root``."""

    todo, seen = [(root, '')], set()
    while todo:
        x, path = todo.pop()
        if x is target:
            return path
        kind = inox.tree.kinds.kind_of(x)
        if id(x) in seen or kind.flatten is None:
            continue
        seen.add(id(x))
        keys, children, _ = kind.flatten(x, inox.tree.Walk())
        todo.extend((child, path + str(key)) for key, child in zip(keys, children, strict=True))
    return None


class EagerReference(nn.Reference):
    r"""Outside any Scope, looks for itself inside its own value before the walk goes
    in, and raises CycleError naming itself: right when the walk would meet the
    Reference again first, wrong when the loop was entered at another node, which the
    walk would meet again first (TREE-CYCLE-ERROR names that one)."""

    # Mutants reach into the walk on purpose: the path of the Reference.
    def __tree_flatten__(self, walk):  # pyright: ignore[reportIncompatibleMethodOverride]
        if walk.context is None:
            inside = _path_to(self.value, self)
            if inside is not None:
                here = ''.join(map(str, walk.path()))
                raise inox.tree.CycleError(type(self).__name__, (self.tag,), (here, f'{here}.value{inside}'))
        return super().__tree_flatten__(walk)


EAGER_CYCLE_CHECK = _Mutant('eager-cycle-check', Reference=EagerReference)


class NarrowAliasReference(nn.Reference):
    r"""Checks aliases only for modules, lists, dicts and Parameters: a tuple, named
    tuple, foreign node or Reference held under two tags is untied silently."""

    def __tree_flatten__(self, walk):
        table = walk.context
        if table is None or isinstance(self.value, (nn.Module, nn.Parameter, list, dict)):
            return super().__tree_flatten__(walk)
        claims, table.claims = table.claims, {}  # this claim is seen by nobody
        try:
            return super().__tree_flatten__(walk)
        finally:
            table.claims = claims


class CollapsingReference(nn.Reference):
    r"""Holds the value of a Reference it is given rather than that Reference: a chain
    of References collapses to its last value, and the inner tags are lost."""

    def __init__(self, tag, value):
        while isinstance(value, nn.Reference):
            value = value.value
        super().__init__(tag, value)


NARROW_ALIAS_CHECK = _Mutant('narrow-alias-check', Reference=NarrowAliasReference)
COLLAPSED_REFERENCE_CHAINS = _Mutant('collapsed-reference-chains', Reference=CollapsingReference)

#: Not a mutant: the reference used as a design without a wrapper for static values,
#: which SPEC.md does not require. The suite must accept it (``test_mutants.py``).
WITHOUT_STATIC_WRAPPER = _Mutant('without-static-wrapper', static_wrapper=None)
