r"""Random sharing graphs: the graph model (:mod:`.graph`), the foreign node kinds
(:mod:`.foreign`), the values drawn (:mod:`.values`), what may be drawn
(:mod:`.options`), the strategy of valid graphs (:mod:`.builder`), graphs with one
defect (:mod:`.defects`) and edits of graphs (:mod:`.edits`). The strategies are
importable from here.
"""

from .builder import graphs, sharing_graphs
from .defects import (
    aliased_graphs,
    conflicting_graphs,
    cyclic_graphs,
    namespaces,
    self_scoped_graphs,
    shared_entry_graphs,
    unscoped_cycle_graphs,
)
from .edits import RETYPES, deep_graphs, edited_graphs, graph_pairs, revalued
from .options import Options, OptionsError
from .values import (
    DEFAULT_FLAVORS,
    DTYPES,
    FLAVORS,
    FLOAT_DTYPES,
    RESERVED_NAMES,
    Token,
    names,
    statics,
    tags,
    unhashable_statics,
)

__all__ = [
    'DEFAULT_FLAVORS',
    'DTYPES',
    'FLAVORS',
    'FLOAT_DTYPES',
    'RESERVED_NAMES',
    'RETYPES',
    'Options',
    'OptionsError',
    'Token',
    'aliased_graphs',
    'conflicting_graphs',
    'cyclic_graphs',
    'deep_graphs',
    'edited_graphs',
    'graph_pairs',
    'graphs',
    'names',
    'namespaces',
    'revalued',
    'self_scoped_graphs',
    'shared_entry_graphs',
    'sharing_graphs',
    'statics',
    'tags',
    'unhashable_statics',
    'unscoped_cycle_graphs',
]
