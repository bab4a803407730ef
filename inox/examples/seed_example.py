r"""The example of the inox.nn.share page, as written there."""

import jax

import inox
import inox.nn as nn


class WeightSharingMLP(nn.Scope):
    def __init__(self, key):
        keys = jax.random.split(key, 3)

        self.l1 = nn.Linear(in_features=64, out_features=64, key=keys[0])
        self.l3 = nn.Linear(in_features=64, out_features=64, key=keys[1])
        self.l4 = nn.Linear(in_features=64, out_features=64, key=keys[2])

        self.l1 = nn.Reference('l1', self.l1)
        self.l2 = self.l1  # tied layer
        self.l3.weight = nn.Reference('l3.weight', self.l3.weight)
        self.l4.weight = self.l3.weight  # tied parameter

        self.relu = nn.ReLU()

    def __call__(self, x):  # standard __call__
        x = self.l1(x)
        x = self.l2(self.relu(x))
        x = self.l3(self.relu(x))
        x = self.l4(self.relu(x))

        return x


def main():
    key = jax.random.key(0)
    model = WeightSharingMLP(key)
    static, params, others = model.partition(nn.Parameter)

    print(inox.tree_repr(params))  # does not contain 'l2' and 'l4.weight'


if __name__ == '__main__':
    main()
