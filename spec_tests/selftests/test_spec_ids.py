r"""Self-test of the suite (no SPEC id): the ids parsed from SPEC.md are distinct and
each has a property, so that the conformance matrix has one row per rule and no empty
row."""

from ..runner.harness import SPEC_IDS
from .properties import properties, spec_ids


def test_spec_md_has_ids():
    assert len(SPEC_IDS) >= 30 and len(set(SPEC_IDS)) == len(SPEC_IDS), f'SPEC.md ids, parsed: {SPEC_IDS}'


def test_every_id_is_checked_by_a_test():
    tagged = {spec for test in properties().values() for spec in spec_ids(test)}
    assert sorted(set(SPEC_IDS) - tagged) == [], 'ids without a property'
