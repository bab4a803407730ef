r"""Adapter of the reference implementation, this repository's ``inox``."""

import inox
import inox.nn as nn
from inox.tree import CycleError, LeafSpecError, PartitionKeyError, Static

from .base import Adapter

if not hasattr(nn, 'TagConflictError'):
    raise ImportError(
        f'spec_tests.adapters.reference needs the reference inox, but `import inox` found '
        f'inox {inox.__version__} at {inox.__file__}'
    )


class ReferenceAdapter(Adapter):
    r"""The reference implementation: SPEC.md's API as is."""

    name = 'reference'
    Module = nn.Module
    Scope = nn.Scope
    Parameter = nn.Parameter
    Reference = nn.Reference
    StateEntry = nn.StateEntry
    StateKey = nn.StateKey
    features = frozenset({'deep', 'repr', 'state', 'tags'})
    static_wrapper = Static
    errors = {
        'CycleError': CycleError,
        'TagConflictError': nn.TagConflictError,
        'AliasError': nn.AliasError,
        'PartitionKeyError': PartitionKeyError,
        'LeafSpecError': LeafSpecError,
    }

    def version(self) -> str:
        return inox.__version__

    def export_state(self, tree):
        return nn.export_state(tree)

    def update_state(self, state, mutation):
        return nn.update_state(state, mutation)


ADAPTER = ReferenceAdapter()
