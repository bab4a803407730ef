r"""Self-tests of the strategies and the model. They have no SPEC id: they check the
suite, not the implementation under test."""

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis.internal.conjecture import providers

from ..graphs import (
    aliased_graphs,
    conflicting_graphs,
    cyclic_graphs,
    graphs,
    self_scoped_graphs,
    sharing_graphs,
    unscoped_cycle_graphs,
)
from ..oracle.materialize import immutable_order
from ..oracle.model import walk
from ..runner.profiles import settings_for

_QUIET: dict[str, Any] = dict(database=None, deadline=None, suppress_health_check=list(HealthCheck))


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


@pytest.mark.parametrize(
    'strategy, error',
    [
        (conflicting_graphs(), 'TagConflictError'),
        (aliased_graphs(), 'AliasError'),
        (cyclic_graphs(), 'CycleError'),
        (self_scoped_graphs(), 'CycleError'),
        (unscoped_cycle_graphs(), 'CycleError'),
    ],
)
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


@pytest.fixture
def no_local_constants(monkeypatch):
    r"""Hypothesis also draws literals that it harvests from the loaded modules outside
    site-packages. From a checkout those are the suite's own modules (and the
    implementation's), installed they are not, so one derandomized search starts and
    shrinks elsewhere on each route. An empty pool makes the search the same on every
    route; its cache of permitted constants is cleared so that no other test sees it."""

    monkeypatch.setattr(providers, '_get_local_constants', providers.Constants)  # pyright: ignore[reportPrivateImportUsage]
    providers.CONSTANTS_CACHE.cache.clear()
    yield
    providers.CONSTANTS_CACHE.cache.clear()


def test_failures_shrink_to_small_readable_graphs(no_local_constants):
    def tied_cycle(graph):
        model = walk(graph)
        return graph.cycle_edges() and any(len(paths) > 2 for paths in model.groups.values())

    smallest = find(graphs(), tied_cycle, settings=settings(max_examples=2000, derandomize=True, **_QUIET))
    source = smallest.to_source()
    # The smallest such graph has 3 nodes; this search shrinks to 4 (a list around the
    # Reference that the shrinker does not remove), in 6 lines.
    assert len(smallest) <= 4 and len(source.splitlines()) <= 6, source
