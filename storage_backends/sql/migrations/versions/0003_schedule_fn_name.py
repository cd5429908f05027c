"""Schedules: the fn_name column, the function or object naming the repository in the code.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("fn_name", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("schedules") as batch:
        batch.drop_column("fn_name")
