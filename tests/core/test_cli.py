"""The `dagster pipeline` commands as a user runs them: real subprocesses, real exit codes."""

import os
import subprocess
import sys
import textwrap

import pytest

DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")

PIPELINES = textwrap.dedent(
    """
    from dagster_core import Field, Int, PresetDefinition, lambda_solid, pipeline, solid

    @solid(config={"factor": Field(Int, default_value=2)})
    def scaled(context):
        print("SCALED", context.solid_config["factor"] * 21)
        return context.solid_config["factor"] * 21

    @lambda_solid
    def check(x):
        if x != 42:
            raise ValueError(f"expected 42, got {x}")
        return x

    @pipeline(preset_defs=[PresetDefinition("fail", {"solids": {"scaled": {"config": {"factor": 3}}}})])
    def answer():
        "Computes the answer."
        check(scaled())

    @pipeline
    def other():
        scaled()
    """
)


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "pipelines.py").write_text(PIPELINES)
    return tmp_path


def run(repo, *args):
    return subprocess.run(
        [DAGSTER, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "DAGSTER_HOME": ""},
    )


def test_list_shows_pipelines_solids_and_presets(repo):
    out = run(repo, "pipeline", "list", "-f", "pipelines.py")
    assert out.returncode == 0, out.stderr
    assert "Pipeline: answer" in out.stdout and "Pipeline: other" in out.stdout
    assert "Solids (in order): scaled, check" in out.stdout
    assert "Presets: fail" in out.stdout


def test_execute_merges_env_files_in_order_and_shows_progress(repo):
    (repo / "a.yaml").write_text("solids: {scaled: {config: {factor: 3}}}\n")
    (repo / "b.yaml").write_text("solids: {scaled: {config: {factor: 2}}}\n")
    out = run(
        repo,
        "pipeline",
        "execute",
        "-f",
        "pipelines.py",
        "-n",
        "answer",
        "-e",
        "a.yaml",
        "-e",
        "b.yaml",
        "--tags",
        '{"team": "x"}',
    )
    assert out.returncode == 0, out.stderr
    assert "[2/2 steps] check.compute success" in out.stderr
    assert "SUCCESS: 2/2 steps" in out.stdout
    assert "SCALED 42" in out.stdout


def test_failed_run_exits_1_with_the_error(repo):
    out = run(repo, "pipeline", "execute", "-f", "pipelines.py", "-n", "answer", "-p", "fail")
    assert out.returncode == 1
    assert "expected 42, got 63" in out.stderr
    assert "FAILURE" in out.stdout


def test_bad_config_exits_2_naming_the_path_before_running(repo):
    (repo / "bad.yaml").write_text("solids: {scaled: {config: {factor: x}}}\n")
    out = run(repo, "pipeline", "execute", "-f", "pipelines.py", "-n", "answer", "-e", "bad.yaml")
    assert out.returncode == 2
    assert 'solids.scaled.config.factor: expected Int, got "x"' in out.stderr
    assert "SCALED" not in out.stdout


def test_bad_arguments_exit_2_with_what_to_change(repo):
    out = run(repo, "pipeline", "execute", "-f", "pipelines.py")
    assert out.returncode == 2 and "choose one with -n: answer, other" in out.stderr
    out = run(repo, "pipeline", "execute", "-f", "pipelines.py", "-n", "nope")
    assert out.returncode == 2 and "No pipeline 'nope'" in out.stderr
    out = run(repo, "pipeline", "execute", "-f", "pipelines.py", "-n", "other", "--tags", "[1]")
    assert out.returncode == 2 and "--tags" in out.stderr
    (repo / "broken.yaml").write_text("solids: [\n")
    out = run(repo, "pipeline", "execute", "-f", "pipelines.py", "-n", "other", "-e", "broken.yaml")
    assert out.returncode == 2 and "broken.yaml:" in out.stderr and "invalid YAML" in out.stderr
    out = run(repo, "pipeline", "execute", "-f", "pipelines.py", "-n", "other", "--mode", "prod")
    assert out.returncode == 2 and "no mode 'prod'" in out.stderr


def test_sys_exit_in_a_solid_fails_the_run_with_exit_1(repo, tmp_path):
    (repo / "exits.py").write_text(
        "import sys\nfrom dagster_core import lambda_solid, pipeline\n\n"
        "@lambda_solid\ndef quits():\n    sys.exit(3)\n\n"
        "@pipeline\ndef exits():\n    quits()\n"
    )
    home = tmp_path / "home"
    out = subprocess.run(
        [DAGSTER, "pipeline", "execute", "-f", "exits.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DAGSTER_HOME": str(home)},
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "called sys.exit(3)" in out.stderr
    assert "FAILURE" in out.stdout
    listing = subprocess.run(
        [DAGSTER, "run", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DAGSTER_HOME": str(home)},
    )
    assert "FAILURE" in listing.stdout and "STARTED" not in listing.stdout
