r"""The Python-like source of a graph (:meth:`Graph.to_source`): the code that builds
it, or an outline of a very large one, and the labels of its nodes.

Example:
    >>> from spec_tests.graphs.graph import Graph, Node
    >>> print(Graph((Node('module', keys=('w',), children=(1,)), Node('array', shape=(2, 3)))))
    root = Module()
    root.w = f32[2, 3]
"""

from __future__ import annotations

from .graph import _SHORT, MUTABLE, NAMESPACES, Graph, Node, _post_order


def _array_text(node: Node) -> str:
    dtype = _SHORT.get(node.dtype, node.dtype)
    if node.flavor == 'scalar':
        return f'np.{node.dtype}()'
    shape = ', '.join(map(str, node.shape))
    return f'{"np:" if node.flavor == "numpy" else ""}{dtype}[{shape}]'


def _static_text(node: Node) -> str:
    return f'Static({node.value!r})' if node.wrapped else repr(node.value)


def _label(node: Node) -> str:
    if node.kind == 'array':
        return _array_text(node)
    if node.kind == 'static':
        return _static_text(node)
    if node.kind == 'ref':
        return f'Reference({node.tag!r})'
    if node.user_class:
        return {'module': 'UserModule', 'scope': 'UserScope'}[node.kind]
    return {
        'module': 'Module',
        'scope': 'Scope',
        'param': 'Parameter',
        'entry': 'StateEntry',
        'list': 'list',
        'tuple': 'tuple',
        'dict': 'dict',
        'record': 'Record',
        'box': 'Box',
        'stack': 'Stack',
    }[node.kind]


#: Graphs up to this size are rendered as source, larger ones as an outline of at most
#: OUTLINE_LINES lines.
INLINE_LIMIT = 300
OUTLINE_LINES = 12


def _outline(graph: Graph, i: int) -> str:
    node = graph[i]
    name = 'root' if i == 0 else f'n{i}'
    if not node.children:
        return f'{name} = {_array_text(node) if node.kind == "array" else _label(node)}'
    if node.kind == 'ref':
        return f'{name} = Reference({node.tag!r}, n{node.children[0]})'
    steps = ', '.join(f'{step.keystr()}: n{child}' for step, child in zip(node.steps(), node.children, strict=True))
    return f'{name} = {_label(node)} {{{steps}}}'


class _Source:
    r"""Renders a graph as statements: shared or cyclic nodes get a name, the others
    are written inline."""

    def __init__(self, graph: Graph):
        self.graph = graph
        degrees = graph.in_degrees()
        cyclic = {parent for parent, _ in graph.cycle_edges()}
        self.names: dict[int, str] = {}
        for i, node in enumerate(graph.nodes):
            if i == 0:
                self.names[i] = 'root'
            elif degrees[i] > 1 or i in cyclic:
                self.names[i] = f'{"r" if node.kind == "ref" else "n"}{i}'
        self.lines: list[str] = []

    def render(self) -> list[str]:
        graph = self.graph
        fill = []
        for i, name in self.names.items():
            node = graph.nodes[i]
            if node.kind in MUTABLE:
                self.lines.append(
                    f'{name} = {_label(node)}()'
                    if node.kind in NAMESPACES
                    else f'{name} = {"[]" if node.kind == "list" else "{}"}'
                )
                fill.append(i)
        for i in _creation_order(graph, self.names):
            self.lines.append(f'{self.names[i]} = {self.expression(i, inline_self=True)}')
        for i in fill:
            node = graph.nodes[i]
            name = self.names[i]
            for step, child in zip(node.steps(), node.children, strict=True):
                value = self.expression(child)
                if node.kind in NAMESPACES:
                    self.lines.append(f'{name}.{step.key} = {value}')
                elif node.kind == 'list':
                    self.lines.append(f'{name}.append({value})')
                else:
                    self.lines.append(f'{name}[{step.key!r}] = {value}')
        return self.lines

    def expression(self, i: int, inline_self: bool = False) -> str:
        r"""The expression of node ``i``: its name, or its inline construction."""

        if i in self.names and not inline_self:
            return self.names[i]
        node = self.graph.nodes[i]
        parts = [self.expression(c) for c in node.children]
        if node.kind == 'array':
            return _array_text(node)
        if node.kind == 'static':
            return _static_text(node)
        if node.kind == 'ref':
            return f'Reference({node.tag!r}, {parts[0]})'
        if node.kind in ('param', 'entry'):
            return f'{_label(node)}({parts[0]})'
        if node.kind in NAMESPACES + ('record', 'box'):
            return f'{_label(node)}({", ".join(f"{k}={p}" for k, p in zip(node.keys, parts, strict=True))})'
        if node.kind == 'list':
            return f'[{", ".join(parts)}]'
        if node.kind == 'tuple':
            return f'({", ".join(parts)}{"," if len(parts) == 1 else ""})'
        if node.kind == 'stack':
            return f'Stack([{", ".join(parts)}])'
        return '{' + ', '.join(f'{k!r}: {p}' for k, p in zip(node.keys, parts, strict=True)) + '}'


def _creation_order(graph: Graph, names: dict[int, str]) -> list[int]:
    r"""Orders the named immutable nodes so that each comes after the named immutable
    nodes that its inline expression uses (named mutable nodes exist from the start)."""

    def uses(i: int) -> list[int]:
        found, todo, seen = [], list(graph.nodes[i].children), set()
        while todo:
            j = todo.pop()
            if j in seen:
                continue
            seen.add(j)
            if j not in names:
                todo.extend(graph.nodes[j].children)
            elif graph.nodes[j].kind not in MUTABLE:
                found.append(j)
        return found

    return _post_order([i for i in names if graph.nodes[i].kind not in MUTABLE], uses)
