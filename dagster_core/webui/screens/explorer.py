"""Screen 2, the pipeline explorer: a pipeline's solids and dependencies drawn as SVG on the
server (or a composite solid's inner graph, `?handle=outer.inner`).

A solid is a box with its name (and its definition's name when that differs), its inputs as
pills on the top side and its outputs as pills on the bottom side; an edge runs from an output
pill to an input pill, so a fan-in input is one pill receiving several arrows. The drawing is
computed once per graph shape and kept in this process (the solids' names and wiring are the
key). The side panel's details of a solid are fetched by explorer.js through the API."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from dagster_core.webui.graph_layout import LayoutEdge, LayoutNode, Point, layout_graph
from dagster_core.webui.pages import not_found, query, render

_GRAPH = """
query ExplorerGraph($name: String!, $parent: String!, $inComposite: Boolean!) {
  pipelineOrError(params: {name: $name}) {
    __typename
    ... on Pipeline {
      name
      description
      parent: solidHandle(handleID: $parent) @include(if: $inComposite) {
        handleID
        solid { definition { __typename name } }
      }
      solidHandles(parentHandleID: $parent) {
        solid {
          name
          definition { __typename name }
          inputs { definition { name } dependsOn { solid { name } definition { name } } }
          outputs { definition { name } }
        }
      }
    }
    ... on PipelineNotFoundError { message }
    ... on PythonError { message }
  }
}
"""

_COMPOSITE = "CompositeSolidDefinition"
# Sizes in SVG units, from the fonts explorer.css gives the node texts (monospace).
_NAME_CHAR = 7.8
_DEFINITION_CHAR = 6.6
_PORT_CHAR = 6.1
_PORT_HEIGHT = 16.0
_PORT_GAP = 6.0
_PORT_PAD = 12.0
_BODY_ONE_LINE = 34.0
_BODY_TWO_LINES = 48.0
_MIN_WIDTH = 120.0
_PADDING = 24.0
_MARGIN = 20.0


@dataclass(frozen=True)
class SolidSpec:
    """What the drawing of one solid depends on: its name, definition and wiring."""

    name: str
    definition_name: str
    is_composite: bool
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    # (input, upstream solid, upstream output), one per edge into this solid
    depends_on: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class Port:
    """An input or output pill, its left side at `x` (relative to its solid) and centered on
    `y`."""

    name: str
    x: float
    y: float
    width: float


@dataclass(frozen=True)
class _Shape:
    """A solid's box before placement: its size (pills included) and its pills."""

    width: float
    height: float
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]


@dataclass(frozen=True)
class SolidBox:
    spec: SolidSpec
    x: float
    y: float
    width: float
    body_height: float
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]


@dataclass(frozen=True)
class EdgePath:
    source: str
    output: str
    target: str
    input: str
    path: str


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    solids: tuple[SolidBox, ...]
    edges: tuple[EdgePath, ...]


async def explorer_page(request: Request) -> HTMLResponse:
    name = request.path_params["name"]
    parent = request.query_params.get("handle", "")
    variables = {"name": name, "parent": parent, "inComposite": bool(parent)}
    answer = (await query(request, _GRAPH, variables))["pipelineOrError"]
    if answer["__typename"] == "PipelineNotFoundError":
        return not_found(request, f"There is no pipeline named {name!r}.")
    if answer["__typename"] != "Pipeline":
        return render(request, "error.html", status_code=500, message=answer["message"])
    if parent and (
        answer["parent"] is None
        or answer["parent"]["solid"]["definition"]["__typename"] != _COMPOSITE
    ):
        return not_found(request, f"Pipeline {name!r} has no composite solid {parent!r}.")
    specs = tuple(_spec(handle["solid"]) for handle in answer["solidHandles"])
    return render(
        request,
        "explorer.html",
        nav="pipelines",
        pipeline=answer,
        parent=parent,
        crumbs=_crumbs(parent),
        drawing=_drawing(specs),
    )


def _spec(solid: dict) -> SolidSpec:
    return SolidSpec(
        name=solid["name"],
        definition_name=solid["definition"]["name"],
        is_composite=solid["definition"]["__typename"] == _COMPOSITE,
        inputs=tuple(i["definition"]["name"] for i in solid["inputs"]),
        outputs=tuple(o["definition"]["name"] for o in solid["outputs"]),
        depends_on=tuple(
            (i["definition"]["name"], upstream["solid"]["name"], upstream["definition"]["name"])
            for i in solid["inputs"]
            for upstream in i["dependsOn"]
        ),
    )


def _crumbs(parent: str) -> list[tuple[str, str]]:
    """(name, handle) of each composite on the way down to `parent`."""
    parts = parent.split(".") if parent else []
    return [(part, ".".join(parts[: i + 1])) for i, part in enumerate(parts)]


@functools.lru_cache(maxsize=64)
def _drawing(specs: tuple[SolidSpec, ...]) -> Drawing:
    """The solids placed and the edges routed (cached: the layout is the costly part)."""
    shapes = {spec.name: _shape(spec) for spec in specs}
    nodes = [
        LayoutNode(spec.name, shapes[spec.name].width, shapes[spec.name].height) for spec in specs
    ]
    wires = [
        (source, output, spec.name, input_name)
        for spec in specs
        for input_name, source, output in spec.depends_on
        if source in shapes
    ]
    edges = [
        LayoutEdge(
            source,
            target,
            _port_center(shapes[source].outputs, output),
            _port_center(shapes[target].inputs, input_name),
        )
        for source, output, target, input_name in wires
    ]
    layout = layout_graph(nodes, edges)
    solids = tuple(
        SolidBox(
            spec,
            placed.x + _MARGIN,
            placed.y + _MARGIN,
            placed.width,
            placed.height - _PORT_HEIGHT,
            shapes[spec.name].inputs,
            shapes[spec.name].outputs,
        )
        for spec, placed in zip(specs, layout.nodes, strict=True)
    )
    paths = tuple(
        EdgePath(*wire, _curve(route.points, _MARGIN))
        for wire, route in zip(wires, layout.edges, strict=True)
    )
    return Drawing(layout.width + 2 * _MARGIN, layout.height + 2 * _MARGIN, solids, paths)


def _shape(spec: SolidSpec) -> _Shape:
    two_lines = spec.is_composite or spec.definition_name != spec.name
    body = _BODY_TWO_LINES if two_lines else _BODY_ONE_LINE
    label = len(spec.name) * _NAME_CHAR
    if two_lines:  # "composite · definition_name"
        label = max(label, (len(spec.definition_name) + 12) * _DEFINITION_CHAR)
    width = max(
        _MIN_WIDTH,
        label + _PADDING,
        _row_width(spec.inputs) + _PADDING,
        _row_width(spec.outputs) + _PADDING,
    )
    top = _PORT_HEIGHT / 2
    return _Shape(
        width,
        body + _PORT_HEIGHT,
        _row(spec.inputs, width, top),
        _row(spec.outputs, width, top + body),
    )


def _pill_width(name: str) -> float:
    return len(name) * _PORT_CHAR + _PORT_PAD


def _row_width(names: tuple[str, ...]) -> float:
    return sum(_pill_width(name) for name in names) + _PORT_GAP * max(len(names) - 1, 0)


def _row(names: tuple[str, ...], width: float, y: float) -> tuple[Port, ...]:
    """Pills centered along one side of a box `width` wide."""
    x = (width - _row_width(names)) / 2
    ports = []
    for name in names:
        ports.append(Port(name, x, y, _pill_width(name)))
        x += _pill_width(name) + _PORT_GAP
    return tuple(ports)


def _port_center(ports: tuple[Port, ...], name: str) -> float | None:
    for port in ports:
        if port.name == name:
            return port.x + port.width / 2
    return None


def _curve(points: tuple[Point, ...], shift: float) -> str:
    """An SVG path through `points` (moved by `shift` both ways), each step a curve leaving
    and arriving vertically."""
    moved = [Point(p.x + shift, p.y + shift) for p in points]
    path = [f"M{moved[0].x:.1f},{moved[0].y:.1f}"]
    for start, end in itertools.pairwise(moved):
        middle = (start.y + end.y) / 2
        path.append(f"C{start.x:.1f},{middle:.1f} {end.x:.1f},{middle:.1f} {end.x:.1f},{end.y:.1f}")
    return " ".join(path)


ROUTES = [Route("/pipelines/{name}", explorer_page, name="explorer")]
