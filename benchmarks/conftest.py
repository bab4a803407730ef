r"""Parametrizes the benchmarks by the ``PEERS`` of each test file (``--peers`` keeps
some of them), and records the machine in pytest-benchmark's JSON."""

import os
import sys

# `pytest benchmarks/...` from a checkout measures that checkout's inox when no other
# inox is installed; appended, so that an installed inox (0.8.0's process) comes first.
sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pytest  # noqa: E402
from inoxbench import suite  # noqa: E402
from inoxbench.machine import cpu_count, machine_class  # noqa: E402
from inoxbench.shapes import SHAPES  # noqa: E402


def pytest_addoption(parser):
    parser.addoption(
        '--peers',
        metavar='PEER,...',
        help="only these of the test file's peers (for instance floor,module,scope: the tracked ratios)",
    )


def _peers(metafunc):
    peers = metafunc.module.PEERS
    chosen = metafunc.config.getoption('peers')
    if chosen is None:
        return peers
    chosen = chosen.split(',')
    unknown = [peer for peer in chosen if peer not in peers]
    if unknown:
        raise pytest.UsageError(f'--peers: {", ".join(unknown)} not among the peers of this file ({", ".join(peers)})')
    return [peer for peer in peers if peer in chosen]


def pytest_generate_tests(metafunc):
    if 'case' in metafunc.fixturenames:
        process = os.path.splitext(os.path.basename(metafunc.module.__file__))[0]
        cases = [suite.Case(peer, shape, process) for peer in _peers(metafunc) for shape in SHAPES]
        metafunc.parametrize('case', cases, ids=[c.id for c in cases], indirect=True)


def pytest_collection_modifyitems(items):
    # Shape by shape, the peers of a shape one after the other, every operation of a case
    # in a row: a tracked ratio's peer and floor are measured seconds apart, so a slower
    # phase of a shared machine slows both; one model is alive at a time; and a size runs
    # after the smaller sizes of its variant (see inoxbench/timing.py).
    def order(item):
        case = getattr(item, 'callspec', None) and item.callspec.params.get('case')
        if case is None:
            return (0, 0, 0)
        peers = item.module.PEERS
        return (SHAPES.index(case.shape), peers.index(case.peer_name), suite.__all__.index(item.originalname))

    items.sort(key=order)


@pytest.fixture
def case(request):
    return request.param


def pytest_benchmark_update_machine_info(config, machine_info):
    import jax

    device = jax.devices()[0]
    cores = cpu_count()
    machine_info.update(
        cores=cores,
        jax_version=jax.__version__,
        jax_platform=device.platform,
        jax_device_kind=device.device_kind,
        machine_class=machine_class(device.platform, device.device_kind, cores),
    )
