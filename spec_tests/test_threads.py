r"""Flattening from several threads at once: THREAD-SAFE."""

import contextlib
import sys
import threading

import jax
import numpy as np
from hypothesis import strategies as st

from .graphs import aliased_graphs, conflicting_graphs, cyclic_graphs, sharing_graphs
from .graphs.classes import input_class
from .graphs.examples import ACYCLIC, EVERY_KIND
from .oracle.compare import is_array
from .oracle.materialize import materialize, resolve
from .oracle.model import walk
from .runner.harness import EXAMPLE_TIMEOUT, prop

THREADS = 6
ROUNDS = 4
SIGNATURE_PATHS = 60
#: Seconds between the interpreter's thread switches while the threads run (Python's
#: default is 5 ms, longer than one round on a small tree, so that the rounds of the
#: threads would mostly run one after the other and never overlap).
SWITCH_INTERVAL = 1e-6


def _signature(impl, model, tree):
    r"""What a flatten and unflatten gave: for each access path, the type of the object
    reached, which earlier path reached the same object, and the array values."""

    seen, signature = {}, []
    for n, path in enumerate(model.paths(SIGNATURE_PATHS)):
        x = resolve(impl, tree, path)
        same = seen.setdefault(id(x), n)
        value = np.asarray(x).tobytes() if is_array(x) else None
        signature.append((type(x).__name__, same, value))
    return signature


def _round(impl, model, tree):
    r"""Flatten, unflatten, partition and combine once: what they gave or, if one of
    them raised, the type of its error (THREAD-SAFE asks for the same results as one
    thread gets, whatever they are; whether they are right, other rules check)."""

    try:
        pairs, treedef = jax.tree_util.tree_flatten_with_path(tree)
        rebuilt = jax.tree_util.tree_unflatten(treedef, [leaf for _, leaf in pairs])
        static, *partitions = impl.partition(rebuilt)
        combined = impl.combine(static, *partitions)
        keys = [jax.tree_util.keystr(p) for p, _ in pairs]
        return keys, _signature(impl, model, rebuilt), sorted(partitions[-1]), _signature(impl, model, combined)
    except Exception as error:
        return f'raised {type(error).__name__}'


def _what(outcome) -> str:
    return outcome if isinstance(outcome, str) else 'returned'


@contextlib.contextmanager
def _frequent_switches():
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


@input_class('a tree whose flatten raises', 'where one thread gets an error, an error of the same type')
def _raises(graph) -> bool:
    return walk(graph).failure is not None


# A quarter of the trees make flatten raise: the threads must raise the same errors.
_TREES = st.one_of(
    sharing_graphs(),
    sharing_graphs(),
    sharing_graphs(),
    st.one_of(cyclic_graphs(), conflicting_graphs(), aliased_graphs()),
)


@prop('THREAD-SAFE', _TREES, ci=20, examples=[(EVERY_KIND,), (ACYCLIC,)])
def test_concurrent_flatten_and_unflatten(impl, graph):
    model = walk(graph)
    live = materialize(graph, impl)
    alone = _round(impl, model, live.root)
    if alone == 'raised RecursionError':
        return  # it leaves the thread unusable, and TREE-CYCLE-ERROR reports it
    start = threading.Barrier(THREADS)
    results, errors = [], []

    def work():
        try:
            start.wait()
            for _ in range(ROUNDS):
                results.append(_round(impl, model, live.root))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(THREADS)]
    with _frequent_switches():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(EXAMPLE_TIMEOUT)
    assert not any(t.is_alive() for t in threads), f'a thread did not end within {EXAMPLE_TIMEOUT} s'
    if errors:
        raise errors[0]
    assert len(results) == THREADS * ROUNDS, f'{len(results)} rounds ended, expected {THREADS * ROUNDS}'
    for result in results:
        assert _what(result) == _what(alone), f'a thread {_what(result)}, one thread alone {_what(alone)}'
        if isinstance(alone, str):
            continue
        assert result[0] == alone[0], f'a thread flattened to keys {result[0]}, one thread alone to {alone[0]}'
        assert result[1] == alone[1], 'a thread unflattened another tree than one thread alone'
        assert result[2] == alone[2], f'a thread partitioned to keys {result[2]}, one thread alone to {alone[2]}'
        assert result[3] == alone[3], 'a thread combined another tree than one thread alone'
