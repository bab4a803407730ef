r"""Self-test of the suite (no SPEC id): the ids parsed from SPEC.md are distinct and
each has a property, so that the conformance matrix has one row per rule and no empty
row."""

import importlib
import os

from ..runner.harness import SPEC_IDS


def test_spec_md_has_ids():
    assert len(SPEC_IDS) >= 30 and len(set(SPEC_IDS)) == len(SPEC_IDS), f'SPEC.md ids, parsed: {SPEC_IDS}'


def test_every_id_is_checked_by_a_test():
    properties = os.path.dirname(os.path.dirname(__file__))  # the folder above the self-tests
    package = __name__.rsplit('.', 2)[0]  # the package above the self-tests
    tagged = set()
    for name in sorted(os.listdir(properties)):
        if name.startswith('test_') and name.endswith('.py'):
            module = importlib.import_module(f'{package}.{name[:-3]}')
            for test in vars(module).values():
                tagged.update(m.args[0] for m in getattr(test, 'pytestmark', []) if m.name == 'spec')
    assert sorted(set(SPEC_IDS) - tagged) == [], 'ids without a property'
