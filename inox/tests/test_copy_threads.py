r"""COPY-PICKLE and THREAD-SAFE."""

import copy
import pickle
import threading

import jax
from conftest import Chain


def test_pickle_and_deepcopy_keep_ties_and_cycles(mlp):  # COPY-PICKLE
    for again in (pickle.loads(pickle.dumps(mlp)), copy.deepcopy(mlp)):
        assert again.l1 is again.l2 and again.l3.weight is again.l4.weight
        assert again.l1 is not mlp.l1
    cyclic = Chain(3, cyclic=True)
    for again in (pickle.loads(pickle.dumps(cyclic)), copy.deepcopy(cyclic)):
        assert again.head.value.next.value.next.value.next is again.head


def test_deep_pickle_and_deepcopy():  # COPY-PICKLE, TREE-DEEP
    chain = Chain(10_000)
    assert len(jax.tree_util.tree_leaves(pickle.loads(pickle.dumps(chain)))) == 10_000
    assert len(jax.tree_util.tree_leaves(copy.deepcopy(chain))) == 10_000


def test_threads_flatten_and_unflatten_the_same_scope():  # THREAD-SAFE
    scope = Chain(500, cyclic=True)
    expected = jax.tree_util.tree_flatten(scope)
    barrier = threading.Barrier(8)
    results = []

    def work():
        barrier.wait()
        for _ in range(10):
            leaves, treedef = jax.tree_util.tree_flatten(scope)
            again = treedef.unflatten(leaves)
            results.append(
                (
                    treedef == expected[1],
                    all(a is b for a, b in zip(leaves, expected[0], strict=True)),
                    again.head.value.next.value.next is not None,
                )
            )

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [(True, True, True)] * 80
