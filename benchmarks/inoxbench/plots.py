r"""Pictures of a run: time against N for every peer, memory against unique leaves,
the history of the tracked ratios, and an HTML page that shows them all."""

from __future__ import annotations

__all__ = ['OPS', 'write_count_report', 'write_report']

import html
import math
import os
from typing import Any

import matplotlib

matplotlib.use('Agg')  # files only, no display

import matplotlib.pyplot as plt  # noqa: E402

from .results import Run  # noqa: E402
from .shapes import VARIANTS  # noqa: E402
from .targets import Check  # noqa: E402
from .tracking import Row  # noqa: E402

OPS = {
    'flatten': 'flatten',
    'unflatten': 'unflatten',
    'roundtrip': 'flatten + unflatten',
    'partition': 'partition(Parameter)',
    'combine': 'static(params, others)',
    'partition_combine': 'partition + combine',
    'jit_call': 'jitted call, model as argument',
    'grad_step': 'jitted grad step on partitioned params',
}

# Fixed colors and markers, so that a peer looks the same in every picture.
STYLES = {
    'floor': dict(color='0.45', marker='.', linestyle=':'),
    'module': dict(color='tab:blue', marker='s'),
    'scope': dict(color='tab:red', marker='o', linewidth=2.2),
    'fast': dict(color='tab:pink', marker='P', linewidth=2.2),
    'bare_walk': dict(color='tab:brown', marker='x', linestyle='--'),
    'inox_0_8_0': dict(color='tab:orange', marker='v'),
    'equinox': dict(color='tab:green', marker='^'),
    'nnx': dict(color='tab:purple', marker='D'),
}


def _panels(title: str):
    figure, axes = plt.subplots(1, len(VARIANTS), figsize=(4.2 * len(VARIANTS), 4), sharey=True)
    figure.suptitle(title)
    return figure, dict(zip(VARIANTS, axes, strict=True))


def _finish(figure, axes, xlabel: str, ylabel: str, path: str) -> None:
    for variant, ax in axes.items():
        ax.set_title(variant)
        ax.set_xscale('log')
        ax.set_yscale('log')
        ax.set_xlabel(xlabel)
        ax.grid(True, which='both', alpha=0.3)
    first = next(iter(axes.values()))
    first.set_ylabel(ylabel)
    handles = {}
    for ax in axes.values():
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    figure.legend(list(handles.values()), list(handles), loc='lower center', ncol=max(1, len(handles)), frameon=False)
    figure.tight_layout(rect=(0, 0.08, 1, 0.95))
    figure.savefig(path, dpi=90)


def time_vs_n(run: Run, op: str, path: str, stat: str = 'min') -> bool:
    r"""Writes the log-log plot of ``op``'s time (or, with ``stat='instructions'``, its
    instruction count) against N; False if nothing ran."""

    measure = 'instruction count' if stat == 'instructions' else f'{stat} time'
    figure, axes = _panels(f'{OPS[op]}: {measure} against N (log-log)')
    drawn = False
    for peer, style in STYLES.items():
        for variant, ax in axes.items():
            points = sorted(
                (n, run.time(o, p, n, v, stat)) for (o, p, n, v) in run.keys() if (o, p, v) == (op, peer, variant)
            )
            if points:
                ax.plot(*zip(*points, strict=True), label=peer, **style)
                drawn = True
    if drawn:
        _finish(figure, axes, 'N (layers)', 'instructions' if stat == 'instructions' else 'seconds', path)
    plt.close(figure)
    return drawn


def memory_vs_leaves(run: Run, path: str) -> bool:
    r"""Writes the log-log plot of a flatten's peak memory against unique leaves."""

    figure, axes = _panels('flatten: peak traced memory against unique leaves (log-log)')
    drawn = False
    for peer, style in STYLES.items():
        for variant, ax in axes.items():
            points = sorted(
                (run.info(o, p, n, v, 'unique_leaves'), run.info(o, p, n, v, 'flatten_peak_bytes'))
                for (o, p, n, v) in run.keys()
                if (o, p, v) == ('flatten', peer, variant)
            )
            points = [(x, y) for x, y in points if x and y]
            if points:
                ax.plot(*zip(*points, strict=True), label=peer, **style)
                drawn = True
    if drawn:
        _finish(figure, axes, 'unique leaves', 'bytes', path)
    plt.close(figure)
    return drawn


def _geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def history(
    runs: list[dict[str, Any]],
    path: str,
    title: str = 'history of tracked ratios (geometric mean over shapes of time / floor time)',
) -> bool:
    r"""Writes, for each tracked peer and operation, the geometric mean over shapes
    of its tracked values (ratios to the floor, or counts), run after run; False with
    fewer than one run."""

    if not runs:
        return False
    peers = sorted({key.split('/')[1] for run in runs for key in run['ratios']})
    figure, axes = plt.subplots(1, len(peers), figsize=(6.5 * len(peers), 4.5), squeeze=False)
    figure.suptitle(title)
    labels = [run.get('label', str(i)) for i, run in enumerate(runs)]
    for ax, peer in zip(axes[0], peers, strict=True):
        for op in list(OPS) + ['memory']:
            series = []
            for run in runs:
                values = [v for k, v in run['ratios'].items() if k.startswith(f'{op}/{peer}/') and v > 0]
                series.append(_geomean(values) if values else float('nan'))
            if any(not math.isnan(v) for v in series):
                ax.plot(range(len(runs)), series, marker='o', label=op)
        ax.set_title(peer)
        ax.set_yscale('log')
        ax.set_xticks(range(len(runs)))
        ax.set_xticklabels(labels, rotation=30, ha='right', fontsize=8)
        ax.grid(True, which='both', alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return True


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = ''.join(f'<th>{html.escape(h)}</th>' for h in headers)
    body = ''.join('<tr>' + ''.join(f'<td>{html.escape(c)}</td>' for c in row) + '</tr>' for row in rows)
    return f'<table><tr>{head}</tr>{body}</table>'


def _targets_table(checks: list[Check]) -> str:
    verdict = {None: 'not measured', True: 'met', False: 'MISSED'}
    return _table(
        ['target', 'case', 'value', 'limit', 'verdict'],
        [
            [
                c.target,
                c.case,
                '-' if c.value is None else f'{c.value:.2f}',
                f'{"<=" if c.at_most else ">="} {c.limit:g}',
                verdict[c.met],
            ]
            for c in checks
        ],
    )


def _tracked_table(rows: list[Row], value: str = '{:.2f}', change: str = '{:+.1f}%') -> str:
    def shown(x: float | None, form: str) -> str:
        return '-' if x is None else form.format(x)

    return _table(
        ['metric', 'baseline', 'current', 'change', 'status'],
        [[r.key, shown(r.baseline, value), shown(r.current, value), shown(r.change, change), r.status] for r in rows],
    )


def write_report(
    run: Run, checks: list[Check], rows: list[Row], runs: list[dict[str, Any]], out: str, stat: str = 'min'
) -> list[str]:
    r"""Writes the PNG files and ``index.html`` into ``out``; returns their paths."""

    os.makedirs(out, exist_ok=True)
    images = []
    for op in OPS:
        path = os.path.join(out, f'time_{op}.png')
        if time_vs_n(run, op, path, stat):
            images.append(path)
    path = os.path.join(out, 'memory_flatten.png')
    if memory_vs_leaves(run, path):
        images.append(path)
    path = os.path.join(out, 'history.png')
    if history(runs, path):
        images.append(path)

    targets = _targets_table(checks)
    tracked = _tracked_table(rows)
    pictures = ''.join(f'<p><img src="{html.escape(os.path.basename(p))}"></p>' for p in images)
    if os.path.exists(os.path.join(out, COUNT_HISTORY)):
        pictures += '<p>The last count run (<a href="counts.html">counts.html</a>):</p>'
        pictures += f'<p><img src="{COUNT_HISTORY}"></p>'
    machine = html.escape(str(run.machine_class))
    page = f'''<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>inox benchmarks ({machine})</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:2px 8px;text-align:left}} img{{max-width:100%}}</style></head>
<body><h1>inox benchmarks on {machine}</h1>
<p>Times are the {html.escape(stat)} over rounds. Tracked ratios divide a time by the floor's time
(jax.tree_util on a dict of the unique leaves) for the same operation and shape.</p>
{pictures}<h2>Targets</h2>{targets}<h2>Tracked ratios against the baseline</h2>{tracked}
</body></html>
'''
    index = os.path.join(out, 'index.html')
    with open(index, 'w') as f:
        f.write(page)
    return images + [index]


COUNT_HISTORY = 'count_history.png'


def write_count_report(run: Run, rows: list[Row], runs: list[dict[str, Any]], out: str) -> list[str]:
    r"""Writes the pictures of a count run and ``counts.html`` into ``out``, beside the
    time report of :func:`write_report` (each page shows the other's history); returns
    their paths."""

    os.makedirs(out, exist_ok=True)
    images = []
    for op in OPS:
        path = os.path.join(out, f'count_{op}.png')
        if time_vs_n(run, op, path, 'instructions'):
            images.append(path)
    path = os.path.join(out, COUNT_HISTORY)
    if history(runs, path, 'history of instruction counts (geometric mean over shapes)'):
        images.append(path)
    pictures = ''.join(f'<p><img src="{html.escape(os.path.basename(p))}"></p>' for p in images)
    if os.path.exists(os.path.join(out, 'history.png')):
        pictures += '<p>The last timed run (<a href="index.html">index.html</a>):</p><p><img src="history.png"></p>'
    tracked = _tracked_table(rows, '{:,.0f}', '{:+.2f}%')
    stack = html.escape(str(run.stack))
    page = f'''<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>inox instruction counts ({stack})</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;font-size:13px}}
td,th{{border:1px solid #ccc;padding:2px 8px;text-align:left}} img{{max-width:100%}}</style></head>
<body><h1>inox instruction counts, {stack}</h1>
<p>Instructions of one call after warm-up, counted by Valgrind's callgrind.</p>
{pictures}<h2>Tracked counts against the baseline</h2>{tracked}
</body></html>
'''
    index = os.path.join(out, 'counts.html')
    with open(index, 'w') as f:
        f.write(page)
    return images + [index]
