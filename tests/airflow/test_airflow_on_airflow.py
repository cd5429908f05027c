"""Scaffolded DAGs run by a real Airflow 3 (`airflow dags test`, from the .venv-airflow that
`make airflow-venv` builds): runs recorded in our instance, failures in both, no secret in the
DAG file. One migrated AIRFLOW_HOME for the module; each test has its own dags folder."""

import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from missing_service import missing_service
from sqlalchemy import make_url

from dagster_core import DagsterEventType, DagsterInstance, PipelineRunStatus
from dagster_core.airflow import DAG_ID_TAG, DAG_RUN_ID_TAG, dagster_run_id

pytestmark = pytest.mark.slow

E = DagsterEventType
ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_BIN = ROOT / ".venv-airflow" / "bin"
DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")
HELLO_STEPS = {"numbers", "scale", "total", "largest", "report"}

FAILING = textwrap.dedent(
    """
    from dagster_core import lambda_solid, pipeline

    @lambda_solid
    def start():
        return 1

    @lambda_solid
    def crack(x):
        raise ValueError("the flux capacitor is cracked")

    @lambda_solid
    def after(y):
        return y

    @pipeline
    def failing_pipeline():
        after(crack(start()))
    """
)


RETRIED = textwrap.dedent(
    """
    import os
    from dagster_core import Int, Output, OutputDefinition, lambda_solid, pipeline, solid

    MARK = os.path.join(os.path.dirname(__file__), "tried")

    @lambda_solid
    def flaky():
        if not os.path.exists(MARK):
            open(MARK, "w").close()
            raise RuntimeError("the first try fails")
        return 1

    @lambda_solid
    def after(x):
        return x

    @solid(output_defs=[OutputDefinition(Int, "yes"), OutputDefinition(Int, "no", is_optional=True)])
    def branch(_):
        yield Output(1, "yes")

    @lambda_solid
    def needs_no(x):
        return x

    @pipeline
    def retried_pipeline():
        after(flaky())
        needs_no(branch().no)
    """
)

# A DAG file of the user's own, with Airflow retries for every task.
RETRIED_DAG = textwrap.dedent(
    """
    import datetime
    from dagster_core.airflow import make_airflow_dag
    from dagster_core.instance import DagsterInstance

    dag, tasks = make_airflow_dag(
        python_file=@CODE@,
        pipeline_name="retried_pipeline",
        environment_dict={"storage": {"filesystem": {}}},
        instance=DagsterInstance.from_home(@HOME@),
        op_kwargs={"retries": 1, "retry_delay": datetime.timedelta(seconds=0)},
    )
    """
)


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory):
    """A migrated Airflow home (SQLite metadata) in a temporary directory."""
    if not (AIRFLOW_BIN / "airflow").exists():
        reason = f"no Airflow at {AIRFLOW_BIN}: build it with `make airflow-venv`"
        missing_service(reason)
    home = tmp_path_factory.mktemp("airflow_home")
    result = airflow(home, home / "dags", "db", "migrate")
    assert result.returncode == 0, result.stdout + result.stderr
    return home


def airflow(home, dags_folder, *args, env=None):
    return subprocess.run(
        [str(AIRFLOW_BIN / "airflow"), *args],
        capture_output=True,
        text=True,
        cwd=home,
        env={
            **{k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},  # the DAG names it
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            **(env or {}),
        },
    )


def scaffold(dagster_home, dags_folder, *args, env=None):
    result = subprocess.run(
        [DAGSTER, "airflow", "scaffold", *args, "--dags-folder", str(dags_folder)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DAGSTER_HOME": str(dagster_home), **(env or {})},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_the_package_imports_without_importing_airflow(airflow_home):
    code = "import sys, dagster_core, dagster_core.airflow, dagster_core.cli; print('airflow' in sys.modules)"
    result = subprocess.run(
        [str(AIRFLOW_BIN / "python"), "-c", code], capture_output=True, text=True
    )
    assert result.stdout.strip() == "False", result.stderr


def test_the_example_pipeline_runs_on_airflow_as_one_successful_run(airflow_home, tmp_path):
    dagster_home, dags = tmp_path / "dagster_home", tmp_path / "dags"
    scaffold(dagster_home, dags, "-f", "examples/hello_pipeline.py", "-n", "hello_pipeline")

    result = airflow(airflow_home, dags, "dags", "test", "hello_pipeline")

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    instance = DagsterInstance.from_home(str(dagster_home))
    (run,) = instance.get_runs()
    assert run.status is PipelineRunStatus.SUCCESS
    airflow_run_id = run.tags[DAG_RUN_ID_TAG]
    assert run.tags[DAG_ID_TAG] == "hello_pipeline"
    assert airflow_run_id in result.stdout + result.stderr
    assert run.run_id == dagster_run_id("hello_pipeline", airflow_run_id)
    events = instance.all_logs(run.run_id)
    counts = Counter(e.event_type for e in events)
    assert counts[E.PIPELINE_START] == 1 and counts[E.PIPELINE_SUCCESS] == 1
    for step_type in (E.STEP_START, E.STEP_OUTPUT, E.STEP_SUCCESS):
        steps = {e.step_key for e in events if e.event_type is step_type}
        assert steps == {f"{s}.compute" for s in HELLO_STEPS}, step_type
    assert any("making 3 numbers" in e.message for e in events if e.event_type is E.LOG_MESSAGE)


def test_a_failing_solid_fails_the_airflow_task_and_our_run_with_its_error(airflow_home, tmp_path):
    dagster_home, dags = tmp_path / "dagster_home", tmp_path / "dags"
    (tmp_path / "failing.py").write_text(FAILING)
    scaffold(dagster_home, dags, "-f", str(tmp_path / "failing.py"), "-n", "failing_pipeline")

    result = airflow(airflow_home, dags, "dags", "test", "failing_pipeline")

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "the flux capacitor is cracked" in output
    assert "new_state=failed" in output
    instance = DagsterInstance.from_home(str(dagster_home))
    (run,) = instance.get_runs()
    assert run.status is PipelineRunStatus.FAILURE
    (failure,) = [e for e in instance.all_logs(run.run_id) if e.event_type is E.STEP_FAILURE]
    assert failure.step_key == "crack.compute"
    assert "the flux capacitor is cracked" in failure.error.to_string()
    ran = {e.step_key for e in instance.all_logs(run.run_id) if e.event_type is E.STEP_START}
    assert ran == {"start.compute", "crack.compute"}


def test_a_postgres_instance_from_the_environment_leaves_no_password_in_the_dag(
    airflow_home, tmp_path, fresh_postgres_url, monkeypatch
):
    password = "s3cret-airflow-pw"  # the test server trusts loopback, so any password connects
    url = make_url(fresh_postgres_url).set(password=password).render_as_string(hide_password=False)
    dagster_home, dags = tmp_path / "dagster_home", tmp_path / "dags"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text(
        "".join(
            f"{part}:\n"
            "  module: storage_backends.postgres\n"
            f"  class: {cls}\n"
            "  config: {postgres_url: {env: AIRFLOW_TEST_PG_URL}}\n"
            for part, cls in (
                ("run_storage", "PostgresRunStorage"),
                ("event_log_storage", "PostgresEventLogStorage"),
            )
        )
    )
    env = {"AIRFLOW_TEST_PG_URL": url}
    scaffold(
        dagster_home, dags, "-f", "examples/hello_pipeline.py", "-n", "hello_pipeline", env=env
    )

    dag_file = (dags / "hello_pipeline.py").read_text()
    assert password not in dag_file
    assert "{'env': 'AIRFLOW_TEST_PG_URL'}" in dag_file

    result = airflow(airflow_home, dags, "dags", "test", "hello_pipeline", env=env)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert password not in result.stdout + result.stderr
    monkeypatch.setenv("AIRFLOW_TEST_PG_URL", url)
    instance = DagsterInstance.from_home(str(dagster_home))
    (run,) = instance.get_runs()
    assert run.status is PipelineRunStatus.SUCCESS
    successes = [e for e in instance.all_logs(run.run_id) if e.event_type is E.STEP_SUCCESS]
    assert len(successes) == len(HELLO_STEPS)
    instance.dispose()


def test_an_airflow_retry_is_our_next_attempt_and_a_skipped_step_skips_its_task(
    airflow_home, tmp_path
):
    dagster_home, dags = tmp_path / "dagster_home", tmp_path / "dags"
    dags.mkdir()
    (tmp_path / "retried.py").write_text(RETRIED)
    dag_file = RETRIED_DAG.replace("@CODE@", repr(str(tmp_path / "retried.py")))
    (dags / "retried.py").write_text(dag_file.replace("@HOME@", repr(str(dagster_home))))

    result = airflow(airflow_home, dags, "dags", "test", "retried_pipeline")

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "the first try fails" in output
    instance = DagsterInstance.from_home(str(dagster_home))
    (run,) = instance.get_runs()
    assert run.status is PipelineRunStatus.SUCCESS
    events = instance.all_logs(run.run_id)
    flaky = [(e.event_type, e.attempt) for e in events if e.step_key == "flaky.compute"]
    assert (E.STEP_FAILURE, 1) in flaky and flaky[-1] == (E.STEP_SUCCESS, 2)
    (skipped,) = [e for e in events if e.event_type is E.STEP_SKIPPED]
    assert skipped.step_key == "needs_no.compute"
    assert "new_state=skipped" in output
