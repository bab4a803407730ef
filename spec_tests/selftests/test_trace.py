r"""Self-tests of the traceability table (``spec_tests/trace.toml``): every MUST of SPEC.md
has a check, every check names a property of its rule and an assertion found in its code,
and the ``ci`` examples of every property meet the input classes its checks declare."""

import importlib
import inspect
import re
import types
from collections.abc import Callable

import pytest

from ..graphs import graphs
from ..graphs.classes import CLASSES
from ..runner import harness
from ..runner.coverage import classes_met
from ..runner.trace import load, normalized, rules, uncovered
from .properties import PACKAGE, properties, spec_ids

CLAUSES = load()


def _property(test: str) -> Callable:
    r"""The function of ``file.py::name``, from the properties' package."""

    file, name = test.split('::')
    return getattr(importlib.import_module(f'{PACKAGE}.{file.removesuffix(".py")}'), name)


def _names(code: types.CodeType) -> set[str]:
    r"""The global names that ``code`` and the functions defined in it use."""

    found = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _names(const)
    return found


def _sources(function: Callable, depth: int = 4) -> list[str]:
    r"""The source of ``function`` and of the functions of the suite it uses, ``depth``
    calls down, whitespace normalized; each property also runs in :func:`harness.in_thread`."""

    found: dict[int, str] = {}

    def visit(f: Callable, depth: int) -> None:
        f = inspect.unwrap(f)
        if not inspect.isfunction(f) or id(f) in found or not f.__module__.startswith(PACKAGE):
            return
        found[id(f)] = normalized(inspect.getsource(f))
        if depth:
            for name in _names(f.__code__):
                visit(f.__globals__.get(name), depth - 1)  # pyright: ignore[reportArgumentType]

    plain = getattr(function, 'spec_property', None)  # hypothesis' wrappers hide the function
    for f in (plain.test if plain else function, harness.in_thread, harness._recursion_summary):
        visit(f, depth)
    return list(found.values())


def test_every_must_of_spec_md_has_a_clause():
    quotes: dict[str, list[str]] = {}
    for clause in CLAUSES:
        quotes.setdefault(clause.rule, []).append(clause.must)
    missed = [
        f'{rule}: {part}'
        for rule, sentences in rules().items()
        for sentence in sentences
        for part in uncovered(sentence, quotes.get(rule, []))
    ]
    assert missed == [], 'MUST clauses of SPEC.md without a check in trace.toml'


def test_every_clause_quotes_its_rule():
    sentences = rules()
    misquoted = [
        f'{c.rule}: {c.must}'
        for c in CLAUSES
        if not any(c.must in s for s in sentences[c.rule]) or not re.search(r'\bM(UST|AY)\b', c.must)
    ]
    assert misquoted == [], 'clauses of trace.toml that quote no MUST or MAY of their rule in SPEC.md'


@pytest.mark.parametrize('clause', CLAUSES, ids=lambda c: f'{c.rule}:{c.must[:40]}')
def test_every_check_is_an_assertion_of_a_property_of_its_rule(clause):
    for check in clause.checks:
        test = _property(check.test)
        tagged = spec_ids(test)
        assert tagged == [clause.rule], f'{check.test} checks {tagged}, not {clause.rule}'
        sources = _sources(test)
        assert any(check.asserts in source for source in sources), (
            f'{check.test} and the functions it uses do not contain: {check.asserts}'
        )
        unknown = [name for name in check.inputs if name not in CLASSES]
        assert unknown == [], f'{check.test}: unknown input classes {unknown}'


def _declared() -> dict[str, list[str]]:
    r"""The input classes of each property, over all its checks."""

    declared: dict[str, list[str]] = {}
    for clause in CLAUSES:
        for check in clause.checks:
            inputs = declared.setdefault(check.test, [])
            inputs += [name for name in check.inputs if name not in inputs]
    return {test: inputs for test, inputs in sorted(declared.items()) if inputs}


DECLARED = _declared()


@pytest.mark.parametrize('test', sorted(DECLARED))
def test_ci_examples_meet_the_declared_input_classes(test):
    met = classes_met(_property(test), DECLARED[test])
    missed = [name for name in DECLARED[test] if not met[name]]
    assert missed == [], f'the ci examples of {test} never meet {missed} (met: {dict(met)})'


def test_a_weak_generator_misses_its_classes(monkeypatch):
    r"""The check above fails on a planted weak generator: the property of SHARE-LEAF-COUNT
    drawing graphs without References (and without its explicit examples) can meet neither
    a tie nor a cycle."""

    prop = _property('test_share.py::test_leaf_count')
    weak = prop.spec_property._replace(strategies=(graphs(references=False),), examples=())  # pyright: ignore[reportFunctionMemberAccess]
    monkeypatch.setattr(prop, 'spec_property', weak)
    met = classes_met(prop, DECLARED['test_share.py::test_leaf_count'])
    assert met['a tie of arrays'] == 0 and met['a cycle through a Reference'] == 0, dict(met)
    assert met['a static value'] > 0, 'the weak generator still draws what it can'


def test_every_property_is_traced():
    traced = {check.test for clause in CLAUSES for check in clause.checks}
    assert sorted(set(properties()) - traced) == [], 'properties that check no clause of trace.toml'
