"""Where the explorer draws a pipeline's solids and dependencies: a layered (Sugiyama) layout
from grandalf, top to bottom, upstream above downstream.

Policy: grandalf places each connected component; the components sit side by side, left to
right, in the order their first node was given. An edge leaves its source's bottom side and
enters its target's top side at the given port offsets, and runs through grandalf's dummy
points on the layers it crosses, so long edges bend around the nodes in between. Several edges
between the same two nodes (two inputs fed by one solid) share one route through the layers.
`ORDERING_ROUNDS` is grandalf's crossing-reduction effort (its default, 1.5 rounds): for 500
solids it takes about 0.1 s of CPU for a chain, 0.15 s for a fan-out/fan-in and 0.4 s for a
random DAG; fewer rounds saved nothing measurable. The components are found here, not by
grandalf's `Graph`, whose construction compares whole components per edge (2 s for 500 solids)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grandalf.graphs import Edge, Vertex, graph_core
from grandalf.layouts import SugiyamaLayout

ORDERING_ROUNDS = 1.5
NODE_SPACING = 32.0
LAYER_SPACING = 48.0
COMPONENT_SPACING = 64.0


@dataclass(frozen=True)
class LayoutNode:
    """A box to place: `width` by `height`, named by a unique `id`."""

    id: str
    width: float
    height: float


@dataclass(frozen=True)
class LayoutEdge:
    """An edge from `source`'s bottom side to `target`'s top side; `source_port` and
    `target_port` are the x offsets of its ends from each node's left side (None: centered)."""

    source: str
    target: str
    source_port: float | None = None
    target_port: float | None = None


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class PlacedNode:
    """A node's top-left corner and size."""

    id: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class EdgeRoute:
    """An edge and the points it runs through, from its source port to its target port."""

    edge: LayoutEdge
    points: tuple[Point, ...]


@dataclass(frozen=True)
class GraphLayout:
    width: float
    height: float
    nodes: tuple[PlacedNode, ...]
    edges: tuple[EdgeRoute, ...]


class _Box:
    """The `view` grandalf reads sizes from and writes centers to."""

    def __init__(self, width: float, height: float) -> None:
        self.w = width
        self.h = height
        self.xy = (0.0, 0.0)


class _Path:
    """The `view` grandalf writes an edge's route to."""

    def __init__(self) -> None:
        self.points: list[tuple[float, float]] = []

    def setpath(self, points: list[tuple[float, float]]) -> None:
        self.points = points


def layout_graph(nodes: Sequence[LayoutNode], edges: Sequence[LayoutEdge]) -> GraphLayout:
    """Positions for `nodes` and routes for `edges` (whose ends must name given nodes)."""
    vertices: dict[str, Vertex] = {}
    for node in nodes:
        if node.id in vertices:
            raise ValueError(
                f"layout_graph: node id {node.id!r} is given twice; ids must be unique"
            )
        vertices[node.id] = Vertex(node.id)
        vertices[node.id].view = _Box(node.width, node.height)
    links: dict[tuple[str, str], Edge] = {}
    for edge in edges:
        for end in (edge.source, edge.target):
            if end not in vertices:
                raise ValueError(
                    f"layout_graph: edge {edge.source}->{edge.target} names unknown node {end!r}"
                )
        pair = (edge.source, edge.target)
        if pair not in links:
            links[pair] = Edge(vertices[edge.source], vertices[edge.target])
            links[pair].view = _Path()
    centers: dict[str, tuple[float, float]] = {}
    offset_x = 0.0
    height = 0.0
    for members, component_links in _components(nodes, links):
        component = graph_core([vertices[m] for m in members], component_links)
        left, top, right, bottom = _place(component)
        for vertex in component.sV:
            x, y = vertex.view.xy
            centers[vertex.data] = (x - left + offset_x, y - top)
        for link in component_links:
            link.view.points = [(x - left + offset_x, y - top) for x, y in link.view.points]
        offset_x += right - left + COMPONENT_SPACING
        height = max(height, bottom - top)

    placed = tuple(
        PlacedNode(
            node.id,
            centers[node.id][0] - node.width / 2,
            centers[node.id][1] - node.height / 2,
            node.width,
            node.height,
        )
        for node in nodes
    )
    by_id = {node.id: node for node in placed}
    routes = tuple(
        _route(edge, by_id, links[(edge.source, edge.target)].view.points) for edge in edges
    )
    return GraphLayout(max(offset_x - COMPONENT_SPACING, 0.0), height, placed, routes)


def _components(
    nodes: Sequence[LayoutNode], links: dict[tuple[str, str], Edge]
) -> list[tuple[list[str], list[Edge]]]:
    """The connected components (node ids and edges), in the order of their first node."""
    parent = {node.id: node.id for node in nodes}

    def root(node_id: str) -> str:
        while parent[node_id] != node_id:
            parent[node_id] = parent[parent[node_id]]
            node_id = parent[node_id]
        return node_id

    for source, target in links:
        parent[root(source)] = root(target)
    members: dict[str, list[str]] = {}
    for node in nodes:
        members.setdefault(root(node.id), []).append(node.id)
    edges: dict[str, list[Edge]] = {key: [] for key in members}
    for (source, _), link in links.items():
        edges[root(source)].append(link)
    return [(members[key], edges[key]) for key in members]


def _place(component: graph_core) -> tuple[float, float, float, float]:
    """Lay one connected component out; its bounds (left, top, right, bottom)."""
    if len(component.sV) == 1:
        (vertex,) = component.sV
        vertex.view.xy = (vertex.view.w / 2, vertex.view.h / 2)
    else:
        sugiyama = SugiyamaLayout(component)
        sugiyama.xspace = NODE_SPACING
        sugiyama.yspace = LAYER_SPACING
        sugiyama.init_all()
        sugiyama.draw(ORDERING_ROUNDS)
    boxes = [v.view for v in component.sV]
    return (
        min(b.xy[0] - b.w / 2 for b in boxes),
        min(b.xy[1] - b.h / 2 for b in boxes),
        max(b.xy[0] + b.w / 2 for b in boxes),
        max(b.xy[1] + b.h / 2 for b in boxes),
    )


def _route(
    edge: LayoutEdge, nodes: dict[str, PlacedNode], through: list[tuple[float, float]]
) -> EdgeRoute:
    """The edge from its source port, through the layers' dummy points, to its target port."""
    source, target = nodes[edge.source], nodes[edge.target]
    start = Point(
        source.x + (source.width / 2 if edge.source_port is None else edge.source_port),
        source.y + source.height,
    )
    end = Point(
        target.x + (target.width / 2 if edge.target_port is None else edge.target_port),
        target.y,
    )
    middle = tuple(Point(x, y) for x, y in through[1:-1])
    return EdgeRoute(edge, (start, *middle, end))
