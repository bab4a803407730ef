"""An outside adapter: maps SPEC.md's API onto the implementation (here the reference inox)."""

import inox
import inox.nn as nn
from inox.tree import CycleError, LeafSpecError, PartitionKeyError, Static
from spec_tests.adapters import Adapter


class TinyAdapter(Adapter):
    name = 'tiny'
    Module = nn.Module
    Scope = nn.Scope
    Parameter = nn.Parameter
    Reference = nn.Reference
    StateEntry = nn.StateEntry
    StateKey = nn.StateKey
    # Not `deep` (10,000-level trees): conformance_test then leaves TREE-DEEP out.
    features = frozenset({'repr', 'state', 'tags'})
    static_wrapper = Static
    errors = {
        'CycleError': CycleError,
        'TagConflictError': nn.TagConflictError,
        'AliasError': nn.AliasError,
        'PartitionKeyError': PartitionKeyError,
        'LeafSpecError': LeafSpecError,
    }

    def version(self):
        return inox.__version__

    def export_state(self, tree):
        return nn.export_state(tree)

    def update_state(self, state, mutation):
        return nn.update_state(state, mutation)


ADAPTER = TinyAdapter()
