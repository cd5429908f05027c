"""Secrets never shown nor stored: URL passwords and values read with `{env: NAME}` appear in no
command output, error, event or stored row, whichever path would have carried them."""

import os
import subprocess
import sys
import textwrap

import psycopg2
import pytest
from sqlalchemy import make_url

from dagster_core import DagsterInstance
from dagster_core.instance.config import DagsterInstanceConfigError

DAGSTER = os.path.join(os.path.dirname(sys.executable), "dagster")
SECRET = "ZEBRA-s3cret"  # every password below contains it; no output or row may

POSTGRES_INSTANCE = (
    "run_storage: {module: storage_backends.postgres, class: PostgresRunStorage,"
    " config: {postgres_url: {env: DAGSTER_TEST_PG}}}\n"
    "event_log_storage: {module: storage_backends.postgres, class: PostgresEventLogStorage,"
    " config: {postgres_url: {env: DAGSTER_TEST_PG}}}\n"
)

CODE = textwrap.dedent(
    """
    from dagster_core import Bool, Field, ModeDefinition, String, pipeline, resource, solid

    @resource(config={"url": Field(String)})
    def db(init_context):
        return init_context.resource_config["url"]

    @solid(required_resource_keys={"db"}, config={"fail": Field(Bool, default_value=False)})
    def connect(context):
        context.log.info(f"connecting to {context.resources.db}")
        if context.solid_config["fail"]:
            raise ConnectionError(f"cannot reach {context.resources.db}")
        return 1

    @pipeline(mode_defs=[ModeDefinition(resource_defs={"db": db})])
    def uses_db():
        connect()
    """
)


def dagster(home, *args, env=None):
    return subprocess.run(
        [DAGSTER, *args],
        cwd=home,
        env={**os.environ, "DAGSTER_HOME": str(home), **(env or {})},
        capture_output=True,
        text=True,
    )


def with_password(url: str, password: str) -> str:
    """The URL with a password (the suite's server trusts local connections and ignores it)."""
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def rows_as_text(url: str, *tables: str) -> str:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            texts = []
            for table in tables:
                cursor.execute(f"SELECT t::text FROM {table} t")
                texts.extend(row[0] for row in cursor.fetchall())
            return "\n".join(texts)
    finally:
        connection.close()


def test_a_postgres_instance_never_shows_nor_stores_a_password(tmp_path, fresh_postgres_url):
    """The instance's URL comes from the environment, a resource's URL from run config; runs log
    it, fail with it in their error, validate it, are listed, shown and re-executed."""
    env = {"DAGSTER_TEST_PG": with_password(fresh_postgres_url, f"{SECRET}-env")}
    (tmp_path / "dagster.yaml").write_text(POSTGRES_INSTANCE)
    (tmp_path / "code.py").write_text(CODE)
    url = f"postgresql://app:{SECRET}-cfg@db.internal:5432/app"
    (tmp_path / "ok.yaml").write_text(f"resources: {{db: {{config: {{url: '{url}'}}}}}}\n")
    (tmp_path / "fail.yaml").write_text("solids: {connect: {config: {fail: true}}}\n")
    (tmp_path / "bad.yaml").write_text(f"solids: {{connect: {{config: {{fail: '{url}'}}}}}}\n")
    execute = ("pipeline", "execute", "-f", "code.py", "-n", "uses_db", "-e", "ok.yaml")
    outputs = []

    def run(*args, status=0):
        out = dagster(tmp_path, *args, env=env)
        outputs.append(out.stdout + out.stderr)
        assert out.returncode == status, out.stdout + out.stderr
        return out

    run(*execute)
    run(*execute, "-e", "fail.yaml", status=1)
    bad = run(*execute, "-e", "bad.yaml", status=2)
    assert 'solids.connect.config.fail: expected Bool, got "postgresql://app:***@db' in bad.stderr
    run_ids = [line.split()[0] for line in run("run", "list").stdout.splitlines()[1:]]
    assert len(run_ids) == 2
    for run_id in run_ids:
        run("run", "show", run_id)
        assert "connecting to postgresql://app:***@db.internal" in run("run", "logs", run_id).stdout
    run("instance", "info")

    # Runs are stored without the credentials, so re-executing one needs its config again.
    refused = run("pipeline", "reexecute", run_ids[-1], status=2)
    assert "had credentials in its config, which are not stored" in refused.stderr
    run("pipeline", "reexecute", run_ids[-1], "-e", "ok.yaml")

    shown = "\n".join(outputs)
    assert "ConnectionError: cannot reach postgresql://app:***@db.internal" in shown
    assert SECRET not in shown
    stored = rows_as_text(fresh_postgres_url, "runs", "run_tags", "event_logs")
    assert "postgresql://app:***@db.internal" in stored
    assert SECRET not in stored


def test_a_local_instance_stores_no_password_in_its_files(tmp_path):
    (tmp_path / "code.py").write_text(CODE)
    url = f"postgresql://app@db.internal:5432/app?sslmode=require&password={SECRET}"
    (tmp_path / "fail.yaml").write_text(
        f"resources: {{db: {{config: {{url: '{url}'}}}}}}\n"
        "solids: {connect: {config: {fail: true}}}\n"
    )
    out = dagster(tmp_path, "pipeline", "execute", "-f", "code.py", "-e", "fail.yaml")
    assert out.returncode == 1, out.stderr
    assert "password=***" in out.stderr and SECRET not in out.stdout + out.stderr
    history = [path for path in (tmp_path / "history").iterdir() if path.is_file()]
    assert history and all(SECRET.encode() not in path.read_bytes() for path in history)


def test_instance_info_hides_a_password_given_as_a_query_parameter(tmp_path, fresh_postgres_url):
    url = f"{fresh_postgres_url}?password={SECRET}"
    (tmp_path / "dagster.yaml").write_text(
        f"run_storage: {{module: storage_backends.postgres, class: PostgresRunStorage,"
        f" config: {{postgres_url: '{url}'}}}}\n"
    )
    out = dagster(tmp_path, "instance", "info")
    assert out.returncode == 0, out.stderr
    assert "password=***" in out.stdout
    assert SECRET not in out.stdout + out.stderr


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (f"postgresql://postgres:p@{SECRET}@127.0.0.1:5999/db", "unencoded '@' (write %40)"),
        (f"postgresql//postgres:{SECRET}@127.0.0.1:5999/db", "it is not a URL"),
        ("postgresql://postgres@127.0.0.1:abc/db", "its port 'abc' is not a number"),
    ],
    ids=["at-in-password", "malformed", "port-not-a-number"],
)
def test_a_bad_instance_url_is_one_redacted_line_and_exit_2(tmp_path, url, problem):
    (tmp_path / "dagster.yaml").write_text(POSTGRES_INSTANCE)
    out = dagster(tmp_path, "run", "list", env={"DAGSTER_TEST_PG": url})
    assert out.returncode == 2
    (line,) = out.stderr.splitlines()
    assert line.startswith("Error: Cannot read the Postgres URL") and problem in line
    assert "127.0.0.1" in line
    assert SECRET not in out.stdout + out.stderr


def test_a_config_error_names_the_variable_not_its_value(tmp_path, monkeypatch):
    """A value read with `{env: NAME}` that fails validation is shown only as its source."""
    (tmp_path / "sized_storage.py").write_text(
        textwrap.dedent(
            """
            from dagster_core.config import ConfigInt, ConfigString, Field
            from dagster_core.storage import LocalArtifactStorage

            class SizedArtifactStorage(LocalArtifactStorage):
                @classmethod
                def config_schema(cls):
                    return {"base_dir": Field(ConfigString), "max_mb": Field(ConfigInt)}
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("DAGSTER_TEST_SECRET", f"postgresql://u:{SECRET}@h/db")
    (tmp_path / "dagster.yaml").write_text(
        "local_artifact_storage: {module: sized_storage, class: SizedArtifactStorage,"
        f" config: {{base_dir: {tmp_path}, max_mb: {{env: DAGSTER_TEST_SECRET}}}}}}\n"
    )
    with pytest.raises(DagsterInstanceConfigError) as caught:
        DagsterInstance.from_home(str(tmp_path))
    message = str(caught.value)
    assert (
        "local_artifact_storage.config.max_mb: expected Int, got (from env DAGSTER_TEST_SECRET)"
        in message
    )
    assert SECRET not in message


def test_a_usage_error_shows_no_password(tmp_path):
    (tmp_path / "code.py").write_text(CODE)
    tags = f"{{db: postgresql://app:{SECRET}@db.internal/app"
    out = dagster(tmp_path, "pipeline", "execute", "-f", "code.py", "--tags", tags)
    assert out.returncode == 2
    assert "postgresql://app:***@db.internal/app" in out.stderr and SECRET not in out.stderr
