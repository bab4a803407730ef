r"""Copies keep ties and cycles: COPY-PICKLE."""

import copy
import pickle

from hypothesis import strategies as st

from .compare import check_tree
from .harness import prop
from .materialize import materialize
from .model import walk
from .strategies import sharing_graphs

COPIES = {
    'pickle': lambda tree: pickle.loads(pickle.dumps(tree)),
    'deepcopy': copy.deepcopy,
}


@prop('COPY-PICKLE', sharing_graphs(), st.sampled_from(sorted(COPIES)), ci=80)
def test_copies_keep_ties_and_cycles(impl, graph, how):
    live = materialize(graph, impl)
    # A copy may keep two Reference objects with one tag and value apart, as the
    # original did: the tie is their shared value.
    check_tree(impl, walk(graph), COPIES[how](live.root), references='value')
