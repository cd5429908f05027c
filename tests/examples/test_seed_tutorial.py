"""The seed tutorial, re-told in examples/seed_tutorial, runs as its readers run it: each file as a
script, each pipeline through the CLI with its YAML or preset, and its unit tests with pytest."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).parents[2] / "examples" / "seed_tutorial"
BIN = Path(sys.executable).parent

SCRIPTS = {
    "hello_books.py": "books: 10",
    "inputs.py": "longest: Bleak House",
    "config.py": "shelves: {'SF': 'Science fiction', 'CL': 'Classics', 'LF': 'Literary fiction'}",
    "multiple_outputs.py": "long: ['Bleak House', 'Dune', 'Middlemarch', 'The Dispossessed', 'The Left Hand of Darkness']",
    "custom_types.py": "starting with Persuasion",
    "expectations.py": "summary: {'books': 10, 'pages': 4060} in summary.json",
    "composite_solids.py": "per shelf: {'Science fiction': 4, 'Classics': 3, 'Literary fiction': 3}",
    "modes_and_presets.py": "local mode shelved: 10",
    "test_solids.py": "passed: test_sort_by_year_type_checks_its_input",
}

# (pipeline, extra CLI arguments): the YAML files next to each script, or a preset.
CLI_RUNS = {
    "inputs_pipeline": ["-e", "inputs.yaml"],
    "config_pipeline": ["-e", "config.yaml"],
    "multiple_outputs_pipeline": ["-e", "multiple_outputs.yaml"],
    "custom_types_pipeline": ["-e", "custom_types.yaml"],
    "expectations_pipeline": ["-e", "inputs.yaml"],
    "composite_solids_pipeline": ["-e", "composite_solids.yaml"],
    "modes_and_presets_pipeline": ["-p", "local"],
}


@pytest.fixture
def tutorial(tmp_path):
    """A copy of the tutorial folder, so runs that write files leave the repository alone."""
    copy = tmp_path / "seed_tutorial"
    shutil.copytree(TUTORIAL, copy, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite"))
    return copy


def _run(cwd, *args, home):
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_each_step_runs_as_a_script(tutorial, tmp_path, script):
    done = _run(tutorial, sys.executable, script, home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert SCRIPTS[script] in done.stdout


@pytest.mark.parametrize("pipeline_name", sorted(CLI_RUNS))
def test_each_pipeline_runs_from_the_cli_with_its_config(tutorial, tmp_path, pipeline_name):
    done = _run(
        tutorial,
        str(BIN / "dagster"),
        "pipeline",
        "execute",
        "-y",
        "repository.yaml",
        pipeline_name,
        *CLI_RUNS[pipeline_name],
        home=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PIPELINE_SUCCESS" in done.stdout + done.stderr


def test_the_materialized_output_and_the_sqlite_catalog_are_written(tutorial, tmp_path):
    for args in (  # with no -f/-m/-y: repository.yaml in the working directory, as in the seed
        ["custom_types_pipeline", "-e", "custom_types.yaml"],
        ["modes_and_presets_pipeline", "-p", "local"],
    ):
        done = _run(tutorial, str(BIN / "dagster"), "pipeline", "execute", *args, home=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    rows = (tutorial / "sorted_books.csv").read_text().splitlines()
    assert rows[0] == "title,author,year,pages,shelf"
    assert rows[1].startswith("Persuasion,") and len(rows) == 11
    assert (tutorial / "catalog.sqlite").stat().st_size > 0


def test_the_repository_lists_every_tutorial_pipeline(tutorial, tmp_path):
    done = _run(tutorial, str(BIN / "dagster"), "pipeline", "list", home=tmp_path)
    assert done.returncode == 0, done.stderr
    for name in ("hello_books_pipeline", *CLI_RUNS):
        assert name in done.stdout


def test_the_unit_tests_pass_under_pytest(tutorial, tmp_path):
    done = _run(
        tutorial,
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "test_solids.py",
        home=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 passed" in done.stdout
