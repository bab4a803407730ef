r"""Self-test of the suite (no SPEC id): SPEC.md, the list of ids and the properties
agree, so that the conformance matrix has one row per rule and no empty row."""

import importlib
import os
import re

from .harness import SPEC_IDS

SPEC_MD = os.path.join(os.path.dirname(__file__), 'SPEC.md')


def test_spec_md_defines_exactly_the_listed_ids_in_order():
    with open(SPEC_MD) as f:
        defined = re.findall(r'^\*\*([A-Z]+(?:-[A-Z]+)+)\*\* —', f.read(), flags=re.MULTILINE)
    assert tuple(defined) == SPEC_IDS


def test_every_id_is_checked_by_a_test():
    here = os.path.dirname(__file__)
    tagged = set()
    for name in sorted(os.listdir(here)):
        if name.startswith('test_') and name.endswith('.py'):
            module = importlib.import_module(f'{__package__}.{name[:-3]}')
            for test in vars(module).values():
                tagged.update(m.args[0] for m in getattr(test, 'pytestmark', []) if m.name == 'spec')
    assert sorted(set(SPEC_IDS) - tagged) == [], 'ids without a property'
