r"""Flattening from several threads at once: THREAD-SAFE."""

import threading

import jax

from .compare import check_tree, is_array
from .graph import keystr
from .harness import prop
from .materialize import materialize
from .model import walk
from .strategies import sharing_graphs

THREADS = 6
ROUNDS = 4


@prop('THREAD-SAFE', sharing_graphs(), ci=20)
def test_concurrent_flatten_and_unflatten(impl, graph):
    model = walk(graph)
    live = materialize(graph, impl)
    start = threading.Barrier(THREADS)
    results, errors = [], []

    def work():
        try:
            start.wait()
            for _ in range(ROUNDS):
                pairs, treedef = jax.tree_util.tree_flatten_with_path(live.root)
                rebuilt = jax.tree_util.tree_unflatten(treedef, [leaf for _, leaf in pairs])
                static, *partitions = impl.partition(rebuilt)
                results.append(([jax.tree_util.keystr(p) for p, _ in pairs], impl.combine(static, *partitions)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    single, _ = jax.tree_util.tree_flatten_with_path(live.root)
    expected = [jax.tree_util.keystr(p) for p, _ in single]
    assert [keystr(path, impl.reference_key) for _, path in model.leaves] == [
        key for key, (_, leaf) in zip(expected, single) if is_array(leaf)
    ]
    for keys, rebuilt in results:
        assert keys == expected, f'a thread flattened to {keys}, one thread alone to {expected}'
        check_tree(impl, model, rebuilt, limit=60)
