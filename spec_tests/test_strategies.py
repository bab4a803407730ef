r"""Self-tests of the strategies and the model. They have no SPEC id: they check the
suite, not the implementation under test."""

import pytest

from hypothesis import HealthCheck, Phase, find, given, settings

from .materialize import immutable_order
from .model import walk
from .profiles import settings_for
from .strategies import (
    aliased_graphs,
    conflicting_graphs,
    cyclic_graphs,
    graphs,
    self_scoped_graphs,
    sharing_graphs,
    unscoped_cycle_graphs,
)

_QUIET = dict(database=None, deadline=None, suppress_health_check=list(HealthCheck))


@settings_for(100)
@given(sharing_graphs())
def test_graphs_are_valid_and_buildable(graph):
    failure = walk(graph).failure
    assert failure is None, f'{failure}\n{graph}'
    immutable_order(graph)  # every cycle goes through a mutable object


@settings_for(100)
@given(graphs(force_cycle=True))
def test_forced_cycles_are_cycles(graph):
    assert walk(graph).failure is None
    assert graph.cycle_edges(), graph


@pytest.mark.parametrize('strategy, error', [
    (conflicting_graphs(), 'TagConflictError'),
    (aliased_graphs(), 'AliasError'),
    (cyclic_graphs(), 'CycleError'),
    (self_scoped_graphs(), 'CycleError'),
    (unscoped_cycle_graphs(), 'CycleError'),
])
def test_each_injector_makes_its_error(strategy, error):
    @settings_for(40)
    @given(strategy)
    def check(graph):
        failure = walk(graph).failure
        assert failure is not None and failure.error == error, f'{failure}\n{graph}'

    check()


def test_graphs_reach_hundreds_of_nodes():
    sizes = []

    @settings(max_examples=40, derandomize=True, phases=[Phase.generate], **_QUIET)
    @given(graphs(max_nodes=400, max_depth=8, max_children=6, max_extras=40))
    def collect(graph):
        sizes.append(len(graph))
        graph.to_source()

    collect()
    assert max(sizes) >= 200, f'the largest of {len(sizes)} graphs has {max(sizes)} nodes'


def test_failures_shrink_to_small_readable_graphs():
    def tied_cycle(graph):
        model = walk(graph)
        return graph.cycle_edges() and any(len(paths) > 2 for paths in model.groups.values())

    smallest = find(graphs(), tied_cycle, settings=settings(max_examples=2000, derandomize=True, **_QUIET))
    source = smallest.to_source()
    assert len(smallest) <= 3 and len(source.splitlines()) <= 6, source
