r"""Self-tests of the harness that makes properties (``runner/harness.py``): a failing
explicit example does not hide the failures of the drawn examples."""

from typing import Any

import pytest
from hypothesis import strategies as st

from ..runner import harness, profiles

EXPLICIT = -1


def _property() -> Any:  # its drawn argument is hypothesis': called with impl only
    @harness.prop('TREE-ORDER', st.integers(min_value=0), ci=10, examples=[(EXPLICIT,)])
    def fails_everywhere(impl, n):
        if n == EXPLICIT:
            raise ValueError('the explicit example')
        raise KeyError(f'drawn {n}')

    return fails_everywhere


def test_a_failing_explicit_example_does_not_hide_the_drawn_failures():
    with pytest.raises(ExceptionGroup) as raised:
        _property()(impl=None)
    explicit, drawn = raised.value.exceptions
    assert isinstance(explicit, ValueError)
    assert isinstance(drawn, KeyError)
    assert drawn.args == ('drawn 0',)  # shrunk


def test_the_mutation_profile_stops_at_the_first_failure(monkeypatch):
    monkeypatch.setenv(profiles.ENV, 'mutation')
    with pytest.raises(ValueError, match='the explicit example'):
        _property()(impl=None)


def test_a_property_without_failures_passes():
    calls = []

    @harness.prop('TREE-ORDER', st.integers(), ci=10, examples=[(EXPLICIT,)])
    def passes(impl, n):
        calls.append(n)

    run: Any = passes
    run(impl=None)
    assert calls[0] == EXPLICIT and len(calls) > 1


def test_a_property_without_explicit_examples_runs_its_drawn_ones():
    calls = []

    @harness.prop('TREE-ORDER', st.integers(), ci=10)
    def draws(impl, n):
        calls.append(n)

    run: Any = draws
    run(impl=None)
    assert len(calls) == 10
