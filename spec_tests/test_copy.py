r"""Copies keep ties and cycles: COPY-PICKLE."""

import copy
import pickle

from hypothesis import strategies as st

from .graphs import sharing_graphs
from .graphs.classes import input_class
from .graphs.examples import ACYCLIC, EVERY_KIND
from .oracle.compare import check_tree, where
from .oracle.materialize import materialize, resolve
from .oracle.model import walk
from .runner.fresh import run_fresh
from .runner.harness import prop

COPIES = {
    'pickle': lambda tree: pickle.loads(pickle.dumps(tree)),
    'deepcopy': copy.deepcopy,
}
for _how in COPIES:
    input_class(f'a copy by {_how}', f'`{_how}`')(lambda graph, how, _how=_how: how == _how)


@prop(
    'COPY-PICKLE',
    sharing_graphs(),
    st.sampled_from(sorted(COPIES)),
    ci=80,
    examples=[(graph, how) for graph in (EVERY_KIND, ACYCLIC) for how in sorted(COPIES)],
)
def test_copies_keep_ties_and_cycles(impl, graph, how):
    model, live = walk(graph), materialize(graph, impl)
    # A copy may keep two Reference objects with one tag and value apart, as the
    # original did: the tie is their shared value. But one Reference object in a scope
    # stays one (SHARE-ROUNDTRIP-IDENTITY).
    copied = COPIES[how](live.root)
    check_tree(impl, model, copied, references='value')
    _assert_scoped_references_stay_one(impl, model, live.root, copied, how)


def _assert_scoped_references_stay_one(impl, model, original, copied, how):
    copies: dict[int, tuple] = {}  # id of a Reference in the original: (its copy, path)
    for path in model.paths():
        instance = model.instance_at(path)
        if instance.kind != 'ref' or instance.scope is None:
            continue
        a, b = resolve(impl, original, path), resolve(impl, copied, path)
        seen, at = copies.setdefault(id(a), (b, path))
        assert seen is b, f'{how}: {where(impl, path)} and {where(impl, at)} hold one Reference, their copies two'


def load_and_check(impl, graphs, pickles):
    r"""In a fresh interpreter: loads every pickle before anything else flattens a
    tree, then checks each module and each combined partition against its graph."""

    loaded = []
    for n, (graph, blob) in enumerate(zip(graphs, pickles, strict=True)):
        try:
            loaded.append(pickle.loads(blob))
        except Exception as error:
            raise AssertionError(
                f'graph {n} of {len(graphs)} does not load:\n{graph!r}\n{type(error).__name__}: {error}'
            ) from None
    for n, (graph, (root, (static, *partitions))) in enumerate(zip(graphs, loaded, strict=True)):
        model = walk(graph)
        try:
            check_tree(impl, model, root, references='value')
            check_tree(impl, model, impl.combine(static, *partitions))
        except AssertionError as error:
            raise AssertionError(f'graph {n} of {len(graphs)}:\n{graph!r}\n{error}') from None


# Each example starts an interpreter (seconds): several graphs per example, no shrinking,
# and a hundredth of the examples of the longer profiles (100 in thorough; 10,000 would take hours).
@prop('COPY-PICKLE', st.lists(sharing_graphs(), min_size=1, max_size=8), ci=3, shrink=False, cost=100)
def test_pickles_load_in_another_process(impl, graphs):
    pickles = []
    for graph in graphs:
        root = materialize(graph, impl).root
        pickles.append(pickle.dumps((root, impl.partition(root))))
    run_fresh(load_and_check, impl, graphs, pickles)
