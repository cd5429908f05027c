"""A PostgreSQL instance from dagster.yaml: runs survive their connections being killed mid-run."""

import psycopg2
from sqlalchemy import make_url

from dagster_core import (
    DagsterEventType,
    DagsterInstance,
    PipelineRunStatus,
    execute_pipeline,
    lambda_solid,
    pipeline,
    solid,
)


def test_a_run_finishes_with_all_its_events_after_its_connections_are_killed(
    tmp_path, monkeypatch, fresh_postgres_url, postgres_admin_url
):
    monkeypatch.setenv("DAGSTER_TEST_PG", fresh_postgres_url)
    (tmp_path / "dagster.yaml").write_text(
        "run_storage: {module: storage_backends.postgres, class: PostgresRunStorage,"
        " config: {postgres_url: {env: DAGSTER_TEST_PG}}}\n"
        "event_log_storage: {module: storage_backends.postgres, class: PostgresEventLogStorage,"
        " config: {postgres_url: {env: DAGSTER_TEST_PG}}}\n"
    )
    database = make_url(fresh_postgres_url).database
    killed = []

    @lambda_solid
    def before():
        return 1

    @solid
    def kill_connections(context, x):
        context.log.info("ending every connection of the instance's database")
        admin = psycopg2.connect(postgres_admin_url)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )
            killed.append(cursor.rowcount)
        admin.close()
        return x + 1

    @lambda_solid
    def after(x):
        return x + 1

    @pipeline
    def p():
        after(kill_connections(before()))

    instance = DagsterInstance.from_home(str(tmp_path))
    result = execute_pipeline(p, instance=instance)
    assert killed and killed[0] > 0
    assert result.result_for_solid("after").output_value() == 3

    fresh = DagsterInstance.from_home(str(tmp_path))
    assert fresh.get_run_by_id(result.run_id).status is PipelineRunStatus.SUCCESS
    stored = fresh.all_logs(result.run_id)
    assert [e.event_type for e in stored] == [e.event_type for e in result.event_list]
    assert sum(e.event_type is DagsterEventType.STEP_SUCCESS for e in stored) == 3
    instance.dispose()
    fresh.dispose()
