r"""Counterexamples as the JSON report keeps them: a graph as nodes and edges when the
report can draw it, else its outline and a summary; any other value as its repr.

Example:
    >>> from spec_tests.graphs.graph import Graph, Node
    >>> jsonable(Graph((Node('module'),)))['graph']['nodes'][0]['kind']
    'module'
    >>> jsonable(3)
    {'repr': '3'}
"""

from typing import Any

#: Graphs with more nodes are not drawn, and reports keep only their summary.
MAX_NODES = 60


def jsonable(value: Any) -> Any:
    r"""The JSON of one drawn argument of a failing example."""

    if hasattr(value, 'to_json'):
        return {'graph': _bounded_graph(value)}
    return {'repr': repr(value)[:4000]}


def _bounded_graph(graph) -> dict[str, Any]:
    r"""The JSON of a counterexample graph, nodes and edges only when the page can draw
    them: a larger one keeps its outline (:meth:`Graph.to_source` stops after a few
    lines), its size, depth and node kinds, so that a 10,000-level graph costs a few
    hundred bytes of the report rather than megabytes."""

    if len(graph) <= MAX_NODES:
        return graph.to_json()
    kinds: dict[str, int] = {}
    for node in graph.nodes:
        kinds[node.kind] = kinds.get(node.kind, 0) + 1
    return {
        'source': graph.to_source(),
        'summary': {
            'nodes': len(graph),
            'edges': sum(len(node.children) for node in graph.nodes),
            'depth': _depth(graph),
            'kinds': dict(sorted(kinds.items(), key=lambda item: -item[1])),
        },
    }


def _depth(graph) -> int:
    r"""The largest breadth-first distance of a node from the root."""

    depth = {0: 0}
    order = [0]
    for node in order:
        for child in graph[node].children:
            if child not in depth:
                depth[child] = depth[node] + 1
                order.append(child)
    return max(depth.values())
