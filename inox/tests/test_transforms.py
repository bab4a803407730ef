r"""SHARE-JIT, SHARE-GRAD, SHARE-VMAP and SHARE-TREE-MAP on the page's model."""

import jax
import jax.numpy as jnp
import numpy as np

import inox.nn as nn

X = jnp.linspace(-1.0, 1.0, 2 * 64).reshape(2, 64)


def untied(model):
    r"""The same model with every tie replaced by its own copy of the values."""

    def copy(module):
        return nn.Module(**{k: v for k, v in vars(module).items()})

    clone = nn.Module(relu=model.relu)
    clone.l1, clone.l2 = copy(model.l1.value), copy(model.l2.value)
    clone.l3, clone.l4 = copy(model.l3), copy(model.l4)
    clone.l3.weight, clone.l4.weight = model.l3.weight.value, model.l4.weight.value
    return clone


def run(model, x):
    for layer in (model.l1, model.l2, model.l3, model.l4):
        x = nn.Linear.__call__(layer, model.relu(x) if layer is not model.l1 else x)
    return x


def test_ties_hold_inside_jit_and_outputs_match_eager(mlp):  # SHARE-JIT
    seen = []

    @jax.jit
    def f(model, x):
        seen.append(model.l1 is model.l2 and model.l3.weight is model.l4.weight)
        return model(x)

    assert np.allclose(f(mlp, X), mlp(X))
    assert seen == [True]


def test_grad_of_a_tie_is_the_sum_over_its_uses(mlp):  # SHARE-GRAD
    static, params, others = mlp.partition(nn.Parameter)

    def loss(p):
        return static(p, others)(X).sum()

    grads = jax.grad(loss)(params)

    plain = untied(mlp)
    plain_grads = jax.grad(lambda m: run(m, X).sum())(plain)
    assert np.allclose(run(plain, X), mlp(X))

    l1 = plain_grads.l1.weight.value + plain_grads.l2.weight.value
    l3 = plain_grads.l3.weight.value + plain_grads.l4.weight.value
    assert np.allclose(grads['.l1.value.weight.value'], l1)
    assert np.allclose(grads['.l3.weight.value.value'], l3)
    assert not np.allclose(l1, plain_grads.l1.weight.value)  # both uses contribute

    module_grads = jax.grad(lambda m: m(X).sum())(mlp)
    assert module_grads.l1 is module_grads.l2
    assert np.allclose(module_grads.l1.weight.value, l1)


def test_vmap_over_a_batch_of_models(mlp):  # SHARE-VMAP
    batch = jax.tree_util.tree_map(lambda x: jnp.stack([x, 2 * x]), mlp)
    ties = []

    def f(model):
        ties.append(model.l1 is model.l2)
        return model(X[0])

    out = jax.vmap(f)(batch)
    assert ties == [True]
    for i in range(2):
        single = jax.tree_util.tree_map(lambda x, i=i: x[i], batch)
        assert single.l1 is single.l2
        assert np.allclose(out[i], single(X[0]), atol=1e-5)


def test_tree_map_applies_once_per_canonical_leaf(mlp):  # SHARE-TREE-MAP
    calls = []
    again = jax.tree_util.tree_map(lambda x: calls.append(x.shape) or -x, mlp)
    assert len(calls) == 5
    assert again.l1 is again.l2 and again.l3.weight is again.l4.weight
    assert np.allclose(again.l2.weight(), -mlp.l1.weight())
