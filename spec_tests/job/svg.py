r"""Draws a counterexample graph (the JSON of :meth:`spec_tests.graphs.graph.Graph.to_json`)
as a small SVG picture: nodes in layers by distance from the root, edges labelled with
their key, edges into a Reference's value (tagged edges) dashed, and the edges of
cycles in red. Parallel edges (two attributes holding one Reference) are drawn as
curves bent apart, each with its own label.

Example:
    >>> from spec_tests.graphs.graph import Graph, Node
    >>> g = Graph((Node('scope', keys=('a',), children=(1,)), Node('ref', tag='t', children=(0,))))
    >>> svg = draw(g.to_json())
    >>> svg.startswith('<svg') and 'stroke="#c0392b"' in svg
    True
"""

from html import escape
from typing import Any

from ..runner.counterexamples import MAX_NODES

#: How far apart parallel edges bend, in pixels at their middle.
_LANE = 34

_WIDTH, _HEIGHT, _GAP_X, _GAP_Y = 132, 30, 28, 64
_FILL = {
    'scope': '#d6eaf8',
    'module': '#eaf2f8',
    'ref': '#fdebd0',
    'param': '#d5f5e3',
    'array': '#e8f8f5',
    'static': '#f2f3f4',
    'entry': '#fcf3cf',
    'list': '#f4ecf7',
    'tuple': '#f4ecf7',
    'dict': '#f4ecf7',
}
_CYCLE = '#c0392b'


def layers(graph: dict[str, Any]) -> dict[int, tuple[int, int]]:
    r"""``(layer, position)`` of each node: the layer is the breadth-first distance
    from the root, the position the order of discovery within the layer."""

    children: dict[int, list[int]] = {}
    for edge in graph['edges']:
        children.setdefault(edge['source'], []).append(edge['target'])
    depth = {0: 0}
    order = [0]
    for node in order:
        for child in children.get(node, []):
            if child not in depth:
                depth[child] = depth[node] + 1
                order.append(child)
    placed: dict[int, tuple[int, int]] = {}
    count: dict[int, int] = {}
    for node in order:
        layer = depth[node]
        placed[node] = (layer, count.get(layer, 0))
        count[layer] = count.get(layer, 0) + 1
    return placed


def draw(graph: dict[str, Any]) -> str:
    r"""The SVG text of ``graph``, or a short note when it has more than
    :data:`MAX_NODES` nodes (or is only a summary of one)."""

    if 'summary' in graph or len(graph['nodes']) > MAX_NODES:
        size = graph['summary']['nodes'] if 'summary' in graph else len(graph['nodes'])
        return f'<p class="note">A graph of {size} nodes: too large to draw; see its outline.</p>'
    placed = layers(graph)
    widths: dict[int, int] = {}
    for layer, position in placed.values():
        widths[layer] = max(widths.get(layer, 0), position + 1)
    columns = max(widths.values())

    def center(node: int) -> tuple[float, float]:
        layer, position = placed[node]
        offset = (columns - widths[layer]) * (_WIDTH + _GAP_X) / 2
        return (16 + offset + position * (_WIDTH + _GAP_X) + _WIDTH / 2, 16 + layer * (_HEIGHT + _GAP_Y) + _HEIGHT / 2)

    width = 32 + columns * (_WIDTH + _GAP_X) - _GAP_X + 120  # room on the right for back edges and labels
    height = 32 + (max(widths) + 1) * (_HEIGHT + _GAP_Y) - _GAP_Y
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="monospace" font-size="11">',
        '<defs>'
        '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker>'
        '<marker id="arrow-cycle" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{_CYCLE}"/></marker></defs>',
    ]
    parallel: dict[tuple[int, int], list[int]] = {}
    for n, edge in enumerate(graph['edges']):
        parallel.setdefault((edge['source'], edge['target']), []).append(n)
    for n, edge in enumerate(graph['edges']):
        if edge['source'] in placed and edge['target'] in placed:
            twins = parallel[edge['source'], edge['target']]
            parts.append(_edge(edge, center(edge['source']), center(edge['target']), n, twins.index(n), len(twins)))
    for node in graph['nodes']:
        if node['id'] in placed:
            parts.append(_node(node, center(node['id'])))
    parts.append('</svg>')
    return '\n'.join(parts)


def _edge(
    edge: dict[str, Any], start: tuple[float, float], end: tuple[float, float], n: int, twin: int, twins: int
) -> str:
    r"""Edge ``n``, the ``twin``-th of ``twins`` edges between the same two nodes."""

    lane = twin - (twins - 1) / 2  # 0 for a lone edge; -0.5 and 0.5 for two twins, ...
    color = _CYCLE if edge['cycle'] else '#555'
    marker = 'arrow-cycle' if edge['cycle'] else 'arrow'
    dash = ' stroke-dasharray="5,3"' if edge['tagged'] else ''
    weight = 2.2 if edge['cycle'] else 1.2
    (x1, y1), (x2, y2) = start, end
    anchor = 'start'
    if edge['source'] == edge['target']:  # a self-loop, on the right of the node, larger for each twin
        x, y = x1 + _WIDTH / 2, y1
        reach = 40 + _LANE * twin
        path = f'M{x:.1f},{y - 6:.1f} C{x + reach:.1f},{y - 30:.1f} {x + reach:.1f},{y + 30:.1f} {x:.1f},{y + 6:.1f}'
        label = (x + 0.75 * reach - 4, y + 4)
    else:
        y1, y2 = (y1 + _HEIGHT / 2, y2 - _HEIGHT / 2) if y2 > y1 else (y1 - _HEIGHT / 2, y2 + _HEIGHT / 2)
        if y2 > y1:
            # A straight line, or for twins a curve bent sideways by its lane: the
            # control point lies off the middle, the curve's middle halfway to it.
            (mx, my), (dx, dy) = ((x1 + x2) / 2, (y1 + y2) / 2), (x2 - x1, y2 - y1)
            length = (dx * dx + dy * dy) ** 0.5
            cx, cy = mx - dy / length * 2 * _LANE * lane, my + dx / length * 2 * _LANE * lane
            path = f'M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}'
            label = ((mx + cx) / 2 + 6, (my + cy) / 2 + 4)  # beside the curve's middle, away from its twins
            if lane < 0:
                anchor, label = 'end', (label[0] - 12, label[1])
        else:  # an edge back up (or across): a curve, so that it does not hide the tree edges
            bend = 60 + 12 * (n % 4) + _LANE * twin
            cx = max(x1, x2) + bend
            path = (
                f'M{x1 + _WIDTH / 2:.1f},{start[1]:.1f} Q{cx:.1f},{(start[1] + end[1]) / 2:.1f} '
                f'{x2 + _WIDTH / 2:.1f},{end[1]:.1f}'
            )
            apex = (x1 + x2 + _WIDTH + 2 * cx) / 4  # the curve's rightmost point
            label = (apex + 6, (start[1] + end[1]) / 2 + 4)
    text = escape(edge['label'])
    return (
        f'<path d="{path}" fill="none" stroke="{color}" stroke-width="{weight}"{dash} marker-end="url(#{marker})"/>'
        f'<text x="{label[0]:.1f}" y="{label[1]:.1f}" fill="{color}" text-anchor="{anchor}" '
        f'paint-order="stroke" stroke="white" stroke-width="3">{text}</text>'
    )


def _node(node: dict[str, Any], at: tuple[float, float]) -> str:
    x, y = at[0] - _WIDTH / 2, at[1] - _HEIGHT / 2
    fill = _FILL.get(node['kind'], '#ffffff')
    root = node['id'] == 0
    label = f'{node["name"]}: {node["label"]}' if node.get('name') else node['label']
    title = label
    label = label if len(label) <= 19 else label[:18] + '…'
    return (
        f'<g><title>{escape(title)}</title>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{_WIDTH}" height="{_HEIGHT}" rx="6" fill="{fill}" '
        f'stroke="#2c3e50" stroke-width="{2.4 if root else 1}"/>'
        f'<text x="{at[0]:.1f}" y="{at[1] + 4:.1f}" text-anchor="middle" fill="#1b2631">{escape(label)}</text></g>'
    )
