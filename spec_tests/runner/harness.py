r"""Declares properties: each test is tagged with the SPEC.md id it checks, and the
counterexample of a failure is kept for the report.

Example:
    >>> from spec_tests.graphs import graphs
    >>> @prop('TREE-ORDER', graphs(), ci=5)
    ... def test_something(impl, graph):
    ...     pass
    >>> [m.args for m in test_something.pytestmark]
    [('TREE-ORDER',)]
"""

import functools
import json
import os
import re
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import pytest
from hypothesis import Phase, example, given, reject, settings

from ..adapters.base import Unbuildable
from .counterexamples import jsonable
from .profiles import settings_for

#: Where SPEC.md lies: in the package above this one, in a checkout and in an installed package.
SPEC_MD = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'SPEC.md')


def _rules() -> dict[str, str | None]:
    with open(SPEC_MD, encoding='utf-8') as f:
        found = re.findall(r'^\*\*([A-Z]+(?:-[A-Z]+)+)\*\*(?: \(feature: ([a-z]+)\))? —', f.read(), flags=re.MULTILINE)
    return {spec_id: feature or None for spec_id, feature in found}


#: The feature of each SPEC.md id (:py:`None` for the core), in SPEC.md's order: each rule
#: is a paragraph that starts with its id in bold, then ``(feature: NAME)`` if optional.
SPEC_FEATURES = _rules()

#: The ids of SPEC.md, in its order.
SPEC_IDS = tuple(SPEC_FEATURES)

#: The optional features of SPEC.md.
FEATURES = tuple(sorted({f for f in SPEC_FEATURES.values() if f}))


class FoundationsError(ValueError):
    r"""SPEC.md has no readable section "Foundations"."""


def _foundations() -> dict[str, tuple[str, ...]]:
    r"""Each foundation of SPEC.md's table, with the rules that build on it.

    Example:
        >>> 'SHARE-JIT' in _foundations()['TREE-DEFINITION']
        True
    """

    with open(SPEC_MD, encoding='utf-8') as f:
        section = re.search(r'^## Foundations\n(.*?)(?=^## )', f.read(), flags=re.MULTILINE | re.DOTALL)
    if section is None:
        raise FoundationsError(f'{SPEC_MD}: no section "## Foundations" followed by another section')
    rows = re.findall(r'^\| ([A-Z]+(?:-[A-Z]+)+) \| ([A-Z, -]+?) \|$', section.group(1), flags=re.MULTILINE)
    if not rows:
        raise FoundationsError(f'{SPEC_MD}: the section "## Foundations" has no row "| ID | ID, ID |"')
    return {foundation: tuple(rules.split(', ')) for foundation, rules in rows}


#: The foundations of SPEC.md (its section "Foundations"), in its order, each with the
#: rules that build on it: a failure of those likely follows from a failure of the foundation.
SPEC_FOUNDATIONS = _foundations()


class Property(NamedTuple):
    r"""What :func:`prop` made a test of: its SPEC id, strategies and plain function
    (``test(impl, *drawn)``), so that the suite can run it on another adapter, and its
    settings and explicit examples, so that its examples can be drawn again
    (``selftests/test_trace.py``)."""

    spec: str
    strategies: tuple
    test: Callable
    settings: settings
    examples: tuple


class Record:
    r"""What one pytest session learns about each test, by pytest node id: how many
    examples ran, how many the implementation could not build (``unbuildable``: not
    among those run), and for each distinct failure (an exception type raised at one line,
    as hypothesis tells bugs apart) the arguments and error of its last failing call.
    Hypothesis replays each shrunk counterexample last, so those are what it reports.

    Example:
        >>> record = Record()
        >>> record.current = 'test_a'
        >>> record.called()
        >>> record.failed({'x': 1}, ValueError('no'))
        >>> record.calls, [f['error'] for f in record.failures['test_a'].values()]
        ({'test_a': 1}, ['ValueError: no'])
    """

    def __init__(self, trying: str | None = None):
        self.current = ''  # the node id of the running test
        self.calls: dict[str, int] = {}
        self.unbuildable: dict[str, int] = {}
        self.failures: dict[str, dict[tuple, dict[str, Any]]] = {}
        self.trying = trying

    def called(self, arguments: dict[str, Any] | None = None) -> None:
        r"""Counts a call of the current test, about to run on ``arguments``; with a
        ``trying`` path, first writes them there (see :meth:`write_trying`)."""

        self.calls[self.current] = self.calls.get(self.current, 0) + 1
        if self.trying and arguments:
            self.write_trying(arguments)

    def rejected(self) -> None:
        r"""Moves the current test's last call from the examples run to those that the
        implementation cannot build (:class:`~spec_tests.adapters.base.Unbuildable`).

        Example:
            >>> record = Record()
            >>> record.current = 'test_a'
            >>> record.called()
            >>> record.rejected()
            >>> record.calls, record.unbuildable
            ({'test_a': 0}, {'test_a': 1})
        """

        self.calls[self.current] -= 1
        self.unbuildable[self.current] = self.unbuildable.get(self.current, 0) + 1

    def write_trying(self, arguments: dict[str, Any]) -> None:
        r"""Writes the example about to run to the ``trying`` file, replacing the last one,
        as JSON: ``{"test": NODEID, "counterexample": {ARGUMENT: ...}}`` (each argument as
        a report keeps a counterexample). Written before the example runs, it outlives a
        process that the example hangs or kills, so the job can name it."""

        assert self.trying is not None  # called only with a path
        text = json.dumps({'test': self.current, 'counterexample': {k: jsonable(v) for k, v in arguments.items()}})
        with open(self.trying, 'w') as f:  # closed, so in the kernel's hands before the example runs
            f.write(text)

    def failed(self, arguments: dict[str, Any], error: BaseException) -> None:
        r"""Records a failing call of the current test."""

        frames = traceback.extract_tb(error.__traceback__)
        origin = (type(error).__name__,) + ((frames[-1].filename, frames[-1].lineno) if frames else ())
        found = self.failures.setdefault(self.current, {})
        found.pop(origin, None)  # the most recent last
        found[origin] = {'arguments': arguments, 'error': f'{type(error).__name__}: {error}'}


#: The record of the pytest session in progress: the plugin opens one per session.
#: Properties run inside hypothesis, which leaves them no other way to reach it.
_session_record: Record | None = None


def open_record(trying: str | None = None) -> Record:
    r"""Starts recording a session's tests (writing each example to ``trying`` before it
    runs, if given); returns the new record."""

    global _session_record
    _session_record = Record(trying)
    return _session_record


def close_record() -> None:
    r"""Stops recording (the session is over)."""

    global _session_record
    _session_record = None


def spec(spec_id: str):
    r"""The pytest marker that tags a test with the SPEC.md id it checks."""

    if spec_id not in SPEC_IDS:
        raise ValueError(f'{spec_id!r} is not an id of SPEC.md')
    return pytest.mark.spec(spec_id)


def case(spec_id: str) -> Callable:
    r"""Tags a test of fixed examples (no strategy) with its SPEC.md id."""

    def decorate(test: Callable) -> Callable:
        return spec(spec_id)(_recorded(test))

    return decorate


def prop(
    spec_id: str,
    *strategies: Any,
    ci: int = 20,
    shrink: bool = True,
    cost: int = 1,
    examples: Sequence[tuple] = (),
) -> Callable:
    r"""Makes a property: ``test(impl, *drawn)`` runs on examples of ``strategies``,
    ``ci`` of them in the ``ci`` profile (see :mod:`spec_tests.runner.profiles`). A property
    whose every example costs ``cost`` ordinary ones says so (the longer profiles run
    ``1/cost`` of their examples). One that does not ``shrink`` must name in its failure
    message the smallest part of the example that failed. ``examples`` (each a tuple of
    drawn values) run first, in every profile: rare cases found once, kept.

    A failing explicit example does not end the test: the drawn examples run after it
    all the same, so that one failure of a rare case does not hide the others, and the
    test fails with each distinct failure of both (an ``ExceptionGroup`` of two).
    Profiles that report only the first failure (hypothesis' ``report_multiple_bugs``
    off, as in ``mutation``) stop at it."""

    def decorate(test: Callable) -> Callable:
        budget = settings_for(ci, cost)
        if not shrink:
            budget = settings(budget, phases=[p for p in budget.phases if p is not Phase.shrink])
        recorded = _recorded(test)
        drawn_phases = [p for p in budget.phases if p is not Phase.explicit]
        runs = [settings(budget, phases=drawn_phases)(given(*strategies)(recorded))]
        if examples:  # hypothesis skips a run of explicit examples that has none
            explicit = given(*strategies)(recorded)
            for drawn in examples:
                explicit = example(*drawn)(explicit)
            runs.insert(0, settings(budget, phases=[Phase.explicit])(explicit))

        def checked(impl: Any) -> None:
            failures = []
            for run in runs:
                try:
                    run(impl=impl)
                except (Exception, pytest.fail.Exception) as error:
                    failures.append(error)
                    if not budget.report_multiple_bugs:
                        break
            if len(failures) > 1:
                raise BaseExceptionGroup(f'{test.__name__} failed on its explicit examples and on drawn ones', failures)
            if failures:
                raise failures[0]

        checked.__name__ = checked.__qualname__ = test.__name__
        checked.__module__ = test.__module__
        checked.__doc__ = test.__doc__
        checked = spec(spec_id)(checked)
        checked.spec_property = Property(spec_id, strategies, test, budget, tuple(examples))  # pyright: ignore[reportFunctionMemberAccess]
        return checked

    return decorate


def _recorded(test: Callable) -> Callable:
    @functools.wraps(test)
    def run(*args, **kwargs):
        record = _session_record
        arguments = {k: v for k, v in kwargs.items() if k != 'impl'}
        if record is not None:
            record.called(arguments)
        try:
            return in_thread(test, *args, **kwargs)
        except Unbuildable:  # by the implementation's design: not an example of the rule
            if record is not None:
                record.rejected()
            reject()
        except (Exception, pytest.fail.Exception) as error:  # not skips, nor hypothesis' control flow
            if record is not None:
                record.failed(arguments, error)
            raise

    return run


#: Seconds an example may run before it fails as one that never ends (a walk that loops
#: on a cycle: TREE-CYCLE-ERROR, SHARE-CYCLES). The reference needs a few seconds for the
#: largest examples (10,000 levels deep).
EXAMPLE_TIMEOUT = 300


def in_thread(call: Callable, *args, **kwargs) -> Any:
    r"""Runs ``call`` in a new thread and returns its result or raises its exception.

    Each example runs in a thread of its own because a ``RecursionError`` raised inside
    ``jax.tree_util`` (jax 0.12) leaves the recursion depth of its thread exhausted for
    good: one deep or cyclic tree would otherwise fail every later test of the process.
    A ``RecursionError`` comes back as an ``AssertionError`` that summarizes where it
    happened (its own traceback is as deep as the recursion, too deep to format); a
    ``MemoryError`` without the locals of its frames, so that the memory they filled is
    free again for the rest of the run. An
    example that runs past :data:`EXAMPLE_TIMEOUT` fails; its thread cannot be stopped
    and goes on in the background (a daemon: it does not keep the process alive).
    """

    outcome: dict[str, Any] = {}

    def target():
        try:
            outcome['value'] = call(*args, **kwargs)
        except BaseException as error:  # nothing more: after a RecursionError, any call may fail
            outcome['error'] = error

    thread = threading.Thread(target=target, name='spec_tests-example', daemon=True)
    thread.start()
    thread.join(EXAMPLE_TIMEOUT)
    if thread.is_alive():
        raise AssertionError(f'the example did not end within {EXAMPLE_TIMEOUT} s')
    error = outcome.get('error')
    if isinstance(error, MemoryError):  # its frames hold what filled memory: free it for the report
        traceback.clear_frames(error.__traceback__)
    if isinstance(error, RecursionError):
        raise AssertionError(_recursion_summary(error))
    if error is not None:
        raise error
    return outcome.get('value')


def _recursion_summary(error: RecursionError) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f'{os.sep}spec_tests{os.sep}' in f.filename]
    shown = ours[-1:] + frames[-3:]
    where = '; '.join(f'{os.path.basename(f.filename)}:{f.lineno} {f.name}' for f in shown)
    return f'RecursionError ({error}) after {len(frames)} frames, at {where}'
