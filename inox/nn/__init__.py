r"""Neural network modules."""

__all__ = [
    'AliasError',
    'Linear',
    'Module',
    'ModuleDef',
    'Parameter',
    'ReLU',
    'Reference',
    'Scope',
    'State',
    'StateEntry',
    'StateKey',
    'StateKeyError',
    'TagConflictError',
    'TagTable',
    'export_state',
    'update_state',
]

from .activation import ReLU
from .linear import Linear
from .module import Module, ModuleDef, Parameter
from .share import AliasError, Reference, Scope, TagConflictError, TagTable
from .state import State, StateEntry, StateKey, StateKeyError, export_state, update_state
