"""The pipeline explorer in a real browser: the example's DAG with its fan-in, a solid's details
(inputs, outputs, config tree, tags) on click and by link, composites' inner graphs, user
strings shown as text, a 500-solid pipeline drawn whole and panned and zoomed, and 404s."""

from __future__ import annotations

import re
import textwrap

import pytest
from playwright.sync_api import expect
from webui_support import EXAMPLE, screenshot

from dagster_core.webui.graph_layout import LayoutEdge, LayoutNode, layout_graph

EXAMPLE_EDGES = {
    ("numbers", "result", "scale", "values"),
    ("scale", "result", "total", "values"),
    ("scale", "result", "largest", "values"),
    ("total", "result", "report", "parts"),
    ("largest", "result", "report", "parts"),
}

# A GPU-tagged solid, an aliased solid, a composite with a nested config, and a description
# that would be a script if it reached the page as HTML.
TAGGED = textwrap.dedent(
    """
    from dagster_core import Field, InputDefinition, Int, Noneable, OutputDefinition, String
    from dagster_core import composite_solid, lambda_solid, pipeline, solid

    @solid(
        tags={"dask/resources": {"GPU": 1}, "owner": "ml"},
        config={
            "model": Field(
                {"layers": Field(Int, default_value=4, description="Depth"),
                 "name": Field(String)},
                description="What to train",
            ),
            "seed": Field(Noneable(Int), is_optional=True),
        },
    )
    def train(context):
        "<script>alert(1)</script>"
        return 1

    @lambda_solid(input_defs=[InputDefinition("n", Int)], output_def=OutputDefinition(Int))
    def inc(n):
        return n + 1

    @composite_solid(
        input_defs=[InputDefinition("start", Int)], output_defs=[OutputDefinition(Int, "end")]
    )
    def add_two(start):
        "Adds one, twice."
        return {"end": inc.alias("second")(inc.alias("first")(start))}

    @pipeline
    def gpu():
        add_two.alias("outer")(inc.alias("bump")(train()))
    """
)

# 1 root, 498 middle solids each fed by two of the 20 solids before it, 1 join of the last 20.
LARGE = textwrap.dedent(
    """
    from dagster_core import InputDefinition, List, PipelineDefinition, lambda_solid
    from dagster_core.definitions.dependency import (
        DependencyDefinition, MultiDependencyDefinition, SolidInvocation,
    )

    @lambda_solid
    def root():
        return 0

    @lambda_solid(input_defs=[InputDefinition("a"), InputDefinition("b")])
    def middle(a, b):
        return a

    @lambda_solid(input_defs=[InputDefinition("parts", List)])
    def join(parts):
        return len(parts)

    def before(i, salt):
        return "root" if i == 0 else f"m{i - 1 - (i * salt + salt) % min(i, 20)}"

    dependencies = {SolidInvocation("root"): {}}
    for i in range(498):
        dependencies[SolidInvocation("middle", f"m{i}")] = {
            "a": DependencyDefinition(before(i, 7)), "b": DependencyDefinition(before(i, 13)),
        }
    dependencies[SolidInvocation("join")] = {
        "parts": MultiDependencyDefinition([DependencyDefinition(f"m{i}") for i in range(478, 498)])
    }
    large = PipelineDefinition([root, middle, join], name="large", dependencies=dependencies)
    """
)


def test_the_layout_puts_upstream_above_and_runs_edges_from_output_to_input_ports():
    nodes = [LayoutNode("a", 100, 40), LayoutNode("b", 80, 40), LayoutNode("c", 120, 60)]
    nodes += [LayoutNode("alone", 50, 30)]
    edges = [LayoutEdge("a", "c", 10, 20), LayoutEdge("b", "c"), LayoutEdge("a", "b", 90, 40)]
    layout = layout_graph(nodes, edges)
    placed = {node.id: node for node in layout.nodes}
    assert placed["a"].y + 40 <= placed["b"].y and placed["b"].y + 40 <= placed["c"].y
    for route in layout.edges:
        source, target = placed[route.edge.source], placed[route.edge.target]
        start, end = route.points[0], route.points[-1]
        assert start.y == source.y + source.height and end.y == target.y
        expected_start = (
            source.width / 2 if route.edge.source_port is None else route.edge.source_port
        )
        expected_end = (
            target.width / 2 if route.edge.target_port is None else route.edge.target_port
        )
        assert (start.x - source.x, end.x - target.x) == (expected_start, expected_end)
    # a -> c skips b's layer: it bends through one point on that layer.
    assert len(layout.edges[0].points) == 3
    # The unconnected node sits to the right of the rest, inside the drawing.
    others = [node for node in layout.nodes if node.id != "alone"]
    assert placed["alone"].x >= max(node.x + node.width for node in others)
    assert placed["alone"].x + 50 <= layout.width
    assert max(node.y + node.height for node in layout.nodes) <= layout.height


def test_the_layout_refuses_an_edge_to_an_unknown_node_and_a_repeated_node():
    with pytest.raises(ValueError, match="unknown node 'z'"):
        layout_graph([LayoutNode("a", 10, 10)], [LayoutEdge("a", "z")])
    with pytest.raises(ValueError, match="node id 'a' is given twice"):
        layout_graph([LayoutNode("a", 10, 10), LayoutNode("a", 20, 10)], [])


def _edges(page) -> set[tuple[str, str, str, str]]:
    found = page.locator("#graph .edge").evaluate_all(
        "els => els.map(e => [e.dataset.from, e.dataset.output, e.dataset.to, e.dataset.input])"
    )
    return {tuple(edge) for edge in found}


def _view_box(page) -> list[float]:
    return [float(v) for v in page.locator("#graph").get_attribute("viewBox").split()]


def test_the_example_shows_every_solid_and_every_edge_with_the_fan_in(start_dagit, page):
    server = start_dagit(code=EXAMPLE)
    page.goto(server.url + "/pipelines/hello_pipeline")
    solids = page.locator("#graph .solid")
    expect(solids).to_have_count(5)
    assert sorted(solids.evaluate_all("els => els.map(e => e.dataset.solid)")) == [
        "largest",
        "numbers",
        "report",
        "scale",
        "total",
    ]
    assert _edges(page) == EXAMPLE_EDGES
    into_report = page.locator('#graph .edge[data-to="report"][data-input="parts"]')
    expect(into_report).to_have_count(2)  # the fan-in: two arrows into one input
    assert page.locator('#graph .solid[data-solid="report"] .port.input').count() == 1
    assert page.locator("#graph .edge").first.get_attribute("marker-end") == "url(#arrow)"
    # Each edge ends at its input's pill, below the upstream solid's output pill.
    for edge in EXAMPLE_EDGES:
        path = page.locator(
            f'#graph .edge[data-from="{edge[0]}"][data-to="{edge[2]}"][data-input="{edge[3]}"]'
        )
        start_y, end_y = path.first.evaluate(
            "p => [p.getPointAtLength(0).y, p.getPointAtLength(p.getTotalLength()).y]"
        )
        assert start_y < end_y
    assert page.locator("#playground-link").get_attribute("href") == (
        "/pipelines/hello_pipeline/playground"
    )
    assert page.locator("#runs-link").get_attribute("href") == "/runs?pipeline=hello_pipeline"


def test_clicking_a_solid_shows_its_inputs_outputs_and_config(start_dagit, page):
    server = start_dagit(code=EXAMPLE)
    page.goto(server.url + "/pipelines/hello_pipeline")
    page.locator('#graph .solid[data-solid="scale"]').click()
    expect(page.locator("#solid-name")).to_have_text("scale")
    assert page.url.endswith("#solid=scale")
    expect(page.locator('#graph .solid[data-solid="scale"]')).to_have_class(re.compile("selected"))
    inputs = page.locator("#solid-inputs tbody tr")
    expect(inputs).to_have_count(1)
    expect(inputs.first.locator("td")).to_have_text(["values", "List[Int]", "numbers.result"])
    outputs = page.locator("#solid-outputs tbody tr")
    expect(outputs.first.locator("td").nth(1)).to_have_text("List[Int]")
    expect(outputs.first.locator("td").nth(2)).to_contain_text("total.values")
    expect(outputs.first.locator("td").nth(2)).to_contain_text("largest.values")
    factor = page.locator('#config-tree .config-field[data-field="factor"]')
    expect(factor.locator(".type")).to_have_text("Int")
    expect(factor.locator(".field-default")).to_have_text("default: 2")
    expect(factor.locator(".field-optional")).to_have_text("optional")
    assert "Multiply every number" in page.locator("#solid-details").inner_text()
    screenshot(page, "explorer")

    # Following the input's source moves the selection to it.
    inputs.first.locator("a").click()
    expect(page.locator("#solid-name")).to_have_text("numbers")
    count = page.locator('#config-tree .config-field[data-field="count"]')
    expect(count.locator(".field-description")).to_have_text("How many numbers to make")


def test_a_solid_linked_by_url_shows_its_tags_nested_config_and_text_not_html(
    start_dagit, page, tmp_path
):
    code = tmp_path / "gpu.py"
    code.write_text(TAGGED)
    server = start_dagit(code=code)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server.url + "/pipelines/gpu#solid=train")
    expect(page.locator("#solid-name")).to_have_text("train")
    tags = page.locator("#solid-tags")
    expect(tags.locator("dt")).to_have_text(["dask/resources", "owner"])
    expect(tags.locator("dd").first).to_have_text('{"GPU": 1}')
    model = page.locator('#config-tree > .config-field[data-field="model"]')
    expect(model.locator(":scope > .field-required")).to_have_text("required")
    expect(model.locator(":scope > .field-description")).to_have_text("What to train")
    layers = model.locator('.config-field[data-field="layers"]')
    expect(layers.locator(".field-default")).to_have_text("default: 4")
    expect(layers.locator(".field-description")).to_have_text("Depth")
    expect(model.locator('.config-field[data-field="name"] .field-required')).to_have_text(
        "required"
    )
    seed = page.locator('.config-field[data-field="seed"]')
    expect(seed.locator(".type")).to_have_text("Int?")
    expect(seed.locator(".field-optional")).to_have_text("optional")
    expect(page.locator("#solid-details .description")).to_have_text("<script>alert(1)</script>")
    assert page.locator("#solid-details script").count() == 0
    assert dialogs == []

    # An aliased solid shows its definition's name; a composite links to its inner graph.
    expect(page.locator('#graph .solid[data-solid="bump"] .definition')).to_have_text("inc")
    outer = page.locator('#graph .solid[data-solid="outer"]')
    expect(outer).to_have_class(re.compile("composite"))
    expect(outer.locator(".definition")).to_have_text("composite · add_two")
    outer.click()
    expect(page.locator("#solid-details .subtitle")).to_have_text(
        "definition add_two · composite of 2 solids"
    )
    page.locator("#open-composite").click()
    page.wait_for_url(re.compile(r"\?handle=outer"))
    inner = page.locator("#graph .solid")
    expect(inner).to_have_count(2)
    assert _edges(page) == {("first", "result", "second", "n")}
    expect(page.locator("#explorer-title")).to_have_text(re.compile(r"gpu\s*/\s*outer"))
    page.locator('#graph .solid[data-solid="second"]').click()
    expect(page.locator("#solid-inputs tbody td").nth(2)).to_have_text("first.result")
    expect(page.locator("#solid-outputs tbody td").nth(2)).to_have_text(
        "outer.end (composite output)"
    )
    page.locator('#graph .solid[data-solid="first"]').click()
    expect(page.locator("#solid-inputs tbody td").nth(2)).to_have_text(
        "outer.start (composite input)"
    )
    # Double-clicking a composite opens it too.
    page.goto(server.url + "/pipelines/gpu")
    page.locator('#graph .solid[data-solid="outer"]').dblclick()
    page.wait_for_url(re.compile(r"\?handle=outer"))
    expect(page.locator("#graph .solid")).to_have_count(2)


def test_a_500_solid_pipeline_renders_every_node_and_pans_and_zooms(start_dagit, page, tmp_path):
    code = tmp_path / "large.py"
    code.write_text(LARGE)
    server = start_dagit(code=code)
    page.goto(server.url + "/pipelines/large")
    expect(page.locator("#graph .solid")).to_have_count(500)
    expect(page.locator("#graph .edge")).to_have_count(498 * 2 + 20)
    expect(page.locator('#graph .edge[data-to="join"][data-input="parts"]')).to_have_count(20)

    fitted = _view_box(page)
    width, height = (
        float(page.locator("#graph").get_attribute(a)) for a in ("data-width", "data-height")
    )
    assert fitted[2] >= width and fitted[3] >= height  # starts with the whole graph in view

    page.locator("#zoom-in").click()
    zoomed = _view_box(page)
    assert zoomed[2] < fitted[2]

    box = page.locator("#graph").bounding_box()
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*middle)
    page.mouse.down()
    page.mouse.move(middle[0] + 200, middle[1] + 100, steps=5)
    page.mouse.up()
    panned = _view_box(page)
    assert panned[0] < zoomed[0] and panned[1] < zoomed[1]
    assert panned[2:] == zoomed[2:]

    page.mouse.wheel(0, -400)
    expect(page.locator("#graph")).not_to_have_attribute("viewBox", " ".join(map(str, panned)))
    assert _view_box(page)[2] < panned[2]
    page.locator("#zoom-out").click()
    page.locator("#zoom-fit").click()
    assert _view_box(page) == fitted

    # A linked solid is brought into view at its natural size, however far out the view was.
    page.goto(server.url + "/pipelines/large#solid=join")
    expect(page.locator("#solid-inputs tbody td").nth(2).locator("a")).to_have_count(20)
    page.locator("#solid-inputs a", has_text="m490").click()
    expect(page.locator("#solid-name")).to_have_text("m490")
    assert _view_box(page)[2] == page.locator("#graph").bounding_box()["width"]
    node = page.locator('#graph .solid[data-solid="m490"]').bounding_box()
    assert box["x"] < node["x"] < box["x"] + box["width"]
    assert box["y"] < node["y"] < box["y"] + box["height"]
    page.locator("#zoom-out").click()
    page.locator("#zoom-out").click()
    screenshot(page, "explorer-500")


def test_an_unknown_pipeline_or_composite_is_a_404_naming_it(start_dagit, page):
    server = start_dagit(code=EXAMPLE)
    response = page.goto(server.url + "/pipelines/no_such_pipeline")
    assert response.status == 404
    expect(page.locator("#not-found")).to_contain_text("no_such_pipeline")
    response = page.goto(server.url + "/pipelines/hello_pipeline?handle=scale")
    assert response.status == 404
    expect(page.locator("#not-found")).to_contain_text("no composite solid 'scale'")


def test_the_explorer_works_under_a_path_prefix_and_read_only(start_dagit, page):
    server = start_dagit("--path-prefix", "/dagit", "--read-only", code=EXAMPLE)
    page.goto(server.url + "/pipelines/hello_pipeline#solid=report")
    expect(page.locator("#solid-inputs tbody td").nth(2)).to_have_text(
        re.compile(r"total\.result\s*largest\.result")
    )
    assert page.locator("#runs-link").get_attribute("href") == "/dagit/runs?pipeline=hello_pipeline"
    assert page.locator("#explorer button.action").count() == 0
