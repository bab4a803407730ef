r"""The page's example runs as written and prints exactly what the page shows."""

import inox.nn as nn
from inox.examples import seed_example

PAGE_OUTPUT = """{
  '.l1.value.bias.value': float32[64],
  '.l1.value.weight.value': float32[64, 64],
  '.l3.bias.value': float32[64],
  '.l3.weight.value.value': float32[64, 64],
  '.l4.bias.value': float32[64]
}
"""


def test_prints_the_page_params(capsys):
    seed_example.main()
    assert capsys.readouterr().out == PAGE_OUTPUT


def test_ties_survive_partition_and_combine(mlp):
    static, params, others = mlp.partition(nn.Parameter)
    model = static(params, others)
    assert model.l1 is model.l2
    assert model.l3.weight is model.l4.weight
    assert model.l1 is not mlp.l1
    assert set(others) == set()
