"""The first schema: runs, run_tags and event_logs with their indexes.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(255), nullable=False, unique=True),
        sa.Column("pipeline_name", sa.String(255), nullable=False),
        sa.Column("status", sa.String(63), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("idx_runs_status", "runs", ["status", "id"])
    op.create_index("idx_runs_pipeline_name", "runs", ["pipeline_name", "id"])
    op.create_index("idx_runs_created_at", "runs", ["created_at"])

    op.create_table(
        "run_tags",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_index("idx_run_tags_key_value", "run_tags", ["key", "value", "run_id"])
    op.create_index("idx_run_tags_run_id", "run_tags", ["run_id"])

    op.create_table(
        "event_logs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("step_key", sa.String(255)),
        sa.Column("event_type", sa.String(63), nullable=False),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("idx_event_logs_run_id_id", "event_logs", ["run_id", "id"])
    op.create_index("idx_event_logs_run_id_step_key", "event_logs", ["run_id", "step_key"])


def downgrade() -> None:
    op.drop_table("event_logs")
    op.drop_table("run_tags")
    op.drop_table("runs")
