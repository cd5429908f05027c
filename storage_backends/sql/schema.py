"""Every table and index of the SQL storages, in one place; the migrations bring databases here.

Each database holds the whole schema (SQLite's runs.db, event_log.db and schedules.db leave the
others' tables empty), so one migration chain serves SQLite's files and Postgres's one database.
"""

from sqlalchemy import BigInteger, Column, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    # The autoincrement id orders runs newest first and is the paging key.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(255), nullable=False, unique=True),
    Column("pipeline_name", String(255), nullable=False),
    Column("status", String(63), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("body", Text, nullable=False),
)
Index("idx_runs_status", runs.c.status, runs.c.id)
Index("idx_runs_pipeline_name", runs.c.pipeline_name, runs.c.id)
Index("idx_runs_created_at", runs.c.created_at)

run_tags = Table(
    "run_tags",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(255), nullable=False),
    Column("key", String(255), nullable=False),
    Column("value", Text, nullable=False),
)
Index("idx_run_tags_key_value", run_tags.c.key, run_tags.c.value, run_tags.c.run_id)
Index("idx_run_tags_run_id", run_tags.c.run_id)

event_logs = Table(
    "event_logs",
    metadata,
    # SQLite only autoincrements an INTEGER PRIMARY KEY.
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("run_id", String(255), nullable=False),
    Column("step_key", String(255)),
    Column("event_type", String(63), nullable=False),
    Column("timestamp", Float, nullable=False),
    Column("body", Text, nullable=False),
)
Index("idx_event_logs_run_id_id", event_logs.c.run_id, event_logs.c.id)
Index("idx_event_logs_run_id_step_key", event_logs.c.run_id, event_logs.c.step_key)

schedules = Table(
    "schedules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("pipeline_name", String(255), nullable=False),
    Column("cron_schedule", String(255), nullable=False),
    Column("status", String(63), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("python_file", Text),
    Column("module_name", Text),
    Column("fn_name", Text),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)
