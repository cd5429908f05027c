"""The dagit server itself: where it listens, the API at the same origin, the path prefix,
read-only, and the pipelines screen."""

from __future__ import annotations

import urllib.request

from webui_support import EXAMPLE, screenshot


def test_pipelines_screen_lists_every_pipeline_with_modes_presets_and_tags(start_dagit, page):
    server = start_dagit()
    page.goto(server.url + "/")
    cards = page.locator("#pipelines .pipeline")
    assert sorted(cards.evaluate_all("els => els.map(e => e.dataset.pipeline)")) == [
        "adder",
        "fails",
        "slow",
    ]
    adder = page.locator('.pipeline[data-pipeline="adder"]')
    assert "Adds, then doubles." in adder.inner_text()
    assert "five" in adder.inner_text()
    assert "team=webui" in adder.inner_text()
    assert "dask" not in adder.inner_text()  # modes are shown, executors are config
    screenshot(page, "pipelines")


def test_the_api_is_served_at_the_same_origin(start_dagit):
    server = start_dagit()
    assert server.query("{ version }")["version"]
    assert server.get("/dagit_info")["dagit_version"]


def test_path_prefix_serves_pages_static_files_and_the_api_under_it(start_dagit, page):
    server = start_dagit("--path-prefix", "/dagit/", code=EXAMPLE)
    assert server.url.endswith("/dagit")
    page.goto(server.url + "/")
    assert page.locator('.pipeline[data-pipeline="hello_pipeline"]').is_visible()
    assert page.locator("header .brand").get_attribute("href") == "/dagit/"
    assert server.query("{ version }")["version"]
    root = server.url.removesuffix("/dagit") + "/"
    with urllib.request.urlopen(root, timeout=30) as response:
        assert response.url == server.url + "/"


def test_read_only_shows_the_badge_and_the_api_refuses_mutations(start_dagit, page):
    server = start_dagit("--read-only")
    page.goto(server.url + "/")
    assert page.locator("#read-only-badge").is_visible()
    status, body = server.post('mutation { deletePipelineRun(runId: "x") { __typename } }')
    assert status == 200
    assert "read-only" in body["errors"][0]["message"]


def test_an_unknown_page_is_a_404_page(start_dagit, page):
    server = start_dagit()
    response = page.goto(server.url + "/no/such/page")
    assert response.status == 404
    assert page.locator("#error-message").inner_text() == "Not Found"
