r"""Which input classes the ``ci`` examples of a property meet.

The examples of the ``ci`` profile are derandomized: hypothesis seeds them from the
property's source and signature. :func:`classes_met` draws them again, with the
property's own settings and explicit examples, and a body that only classifies: the
same examples as the property sees in a run that passes, in the same process (hypothesis
also draws literals of the modules loaded, see spec_tests/README.md). No implementation
is called.

Example:
    >>> from spec_tests.graphs import graphs
    >>> from spec_tests.runner.harness import prop
    >>> @prop('TREE-ORDER', graphs(), ci=20)
    ... def test_example(impl, graph):
    ...     pass
    >>> met = classes_met(test_example, ['a tie', 'a Parameter'])
    >>> sorted(met), met['a tie'] <= 20
    (['a Parameter', 'a tie'], True)
"""

from __future__ import annotations

import functools
import inspect
from collections import Counter
from collections.abc import Callable, Iterable

from hypothesis import example, given

from ..graphs.classes import CLASSES


def classes_met(prop: Callable, names: Iterable[str]) -> Counter:
    r"""How many of the ``ci`` examples of ``prop`` (a function made by
    :func:`~spec_tests.runner.harness.prop`) meet each input class of ``names``."""

    spec_property = prop.spec_property  # pyright: ignore[reportFunctionMemberAccess]
    wanted = [CLASSES[name] for name in names]
    met: Counter = Counter()

    order = list(inspect.signature(spec_property.test).parameters)[1:]  # all but impl

    @functools.wraps(spec_property.test)  # the property's source and signature: its seed
    def classify(impl, **drawn):
        arguments = tuple(drawn[name] for name in order)
        met.update(c.name for c in wanted if c.met(*arguments))

    run = given(*spec_property.strategies)(classify)
    for drawn in spec_property.examples:
        run = example(*drawn)(run)
    spec_property.settings(run)(impl=None)
    return met
