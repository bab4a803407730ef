r"""Parametrizes the benchmarks by peer (``--peers``, this checkout's by default) and
shape (``--variants``, ``--sizes``), chooses what measures them (``meter``:
pytest-benchmark's fixture, or an instruction counter under ``--counts``), and records the
machine in pytest-benchmark's JSON."""

import os
import sys

# `pytest benchmarks/...` from a checkout measures that checkout's inox when no other
# inox is installed; appended, so that an installed inox (a release's process) comes first.
sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pytest  # noqa: E402
from inoxbench import counting, peers, suite  # noqa: E402
from inoxbench.machine import cpu_count, machine_class  # noqa: E402
from inoxbench.runner import checkout_inox_error  # noqa: E402
from inoxbench.shapes import SHAPES, SIZES, VARIANTS  # noqa: E402


def pytest_addoption(parser):
    parser.addoption(
        '--peers',
        metavar='PEER,...',
        help=f'the peers to run (default: this checkout\'s, {",".join(peers.CHECKOUT_PEERS)}; a release\'s '
        'peer, e.g. inox_0_8_0, runs in a process where that release is installed)',
    )
    parser.addoption(
        '--variants',
        metavar='VARIANT,...',
        help=f'only the shapes of these variants ({", ".join(VARIANTS)})',
    )
    parser.addoption(
        '--sizes',
        metavar='N,...',
        help=f'only the shapes of these sizes ({", ".join(map(str, SIZES))})',
    )
    parser.addoption(
        '--counts',
        metavar='FILE',
        help='count instructions instead of timing, and write the counts to FILE (the process must run '
        'under callgrind: see inoxbench/counting.py, or run track --counts)',
    )


_COUNTS = 'inoxbench-counts'


def _peers(config):
    chosen = config.getoption('peers')
    names = chosen.split(',') if chosen else list(peers.CHECKOUT_PEERS)
    unknown = [name for name in names if not peers.exists(name)]
    if unknown:
        raise pytest.UsageError(
            f'--peers: no peer {", ".join(unknown)} (known: {", ".join(peers.CHECKOUT_PEERS)}, '
            'and the peers of released inox versions in inoxbench/peers/)'
        )
    return names


def _process(config):
    # The name of this process in the results: a release's peer, or `current` for this checkout.
    released = [name for name in _peers(config) if name not in peers.PEER_MODULES]
    return released[0] if released else 'current'


def pytest_configure(config):
    if set(_peers(config)) & {'module', 'scope', 'fast', 'bare_walk'}:
        error = checkout_inox_error()
        if error:
            raise pytest.UsageError(error)
    path = config.getoption('counts')
    if path is not None:
        try:
            config.pluginmanager.register(counting.CountSession(path), _COUNTS)
        except counting.ValgrindMissingError as error:
            raise pytest.UsageError(str(error)) from None


def _chosen(config, option, among):
    chosen = config.getoption(option)
    if chosen is None:
        return among
    unknown = set(chosen.split(',')) - set(among)
    if unknown:
        raise pytest.UsageError(f'--{option}: {", ".join(sorted(unknown))} not among {", ".join(among)}')
    return chosen.split(',')


def _shapes(config):
    variants = _chosen(config, 'variants', list(VARIANTS))
    sizes = _chosen(config, 'sizes', [str(n) for n in SIZES])
    return [shape for shape in SHAPES if shape.variant in variants and str(shape.n) in sizes]


def pytest_generate_tests(metafunc):
    if 'case' in metafunc.fixturenames:
        config = metafunc.config
        process = _process(config)
        cases = [suite.Case(peer, shape, process) for peer in _peers(config) for shape in _shapes(config)]
        metafunc.parametrize('case', cases, ids=[c.id for c in cases], indirect=True)


def pytest_collection_modifyitems(config, items):
    # Shape by shape, the peers of a shape one after the other, every operation of a case
    # in a row: a tracked ratio's peer and floor are measured seconds apart, so a slower
    # phase of a shared machine slows both; one model is alive at a time; and a size runs
    # after the smaller sizes of its variant (see inoxbench/timing.py).
    chosen = _peers(config)

    def order(item):
        case = getattr(item, 'callspec', None) and item.callspec.params.get('case')
        if case is None:
            return (0, 0, 0)
        op = item.originalname[len('test_') :]
        return (SHAPES.index(case.shape), chosen.index(case.peer_name), suite.OPERATIONS.index(op))

    items.sort(key=order)


@pytest.fixture
def case(request):
    return request.param


@pytest.fixture
def meter(request):
    r"""What measures a benchmark: pytest-benchmark's ``benchmark`` fixture, or under
    ``--counts`` a :class:`inoxbench.counting.Counter`."""

    session = request.config.pluginmanager.get_plugin(_COUNTS)
    if session is None:
        return request.getfixturevalue('benchmark')
    case = request.getfixturevalue('case')
    return counting.Counter(session, f'{request.function.__name__[len("test_") :]}/{case.peer_name}/{case.shape.name}')


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
