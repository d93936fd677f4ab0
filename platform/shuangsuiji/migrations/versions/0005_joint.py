"""joint tasks (联合抽查, issue #15 item 4): participants, results per item, publication per
participant

Revision ID: 0005_joint
Revises: 0005_credit
Create Date: 2026-12-02 04:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# as the models' instants: zone-aware; microseconds on MariaDB/MySQL
_INSTANT = sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mariadb").with_variant(
    mysql.DATETIME(fsp=6), "mysql")

revision: str = "0005_joint"
down_revision: str | None = "0005_credit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _owned(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f(f"fk_{table}_tenant_id_tenants")),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f(f"fk_{table}_task_id_tasks")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _indexes(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{table}_task_id"), ["task_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "task_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("participant_tenant_id", sa.Integer(), nullable=True),
        sa.Column("item_codes", sa.JSON(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("answer_note", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.String(length=120), nullable=True),
        sa.Column("answered_at", _INSTANT, nullable=True),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.ForeignKeyConstraint(["participant_tenant_id"], ["tenants.id"],
                                name=op.f("fk_task_participants_participant_tenant_id_tenants")),
        sa.UniqueConstraint("task_id", "code", name=op.f("uq_task_participants_task_id_code")),
        *_owned("task_participants"),
    )
    _indexes("task_participants")
    op.create_table(
        "item_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.Column("participant_code", sa.String(length=64), nullable=False),
        sa.Column("result", sa.String(length=64), nullable=False),
        sa.Column("problem_found", sa.Boolean(), nullable=False),
        sa.Column("handling", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", _INSTANT, nullable=False),
        sa.UniqueConstraint("task_id", "credit_code", "item_code",
                            name=op.f("uq_item_results_task_id_credit_code_item_code")),
        *_owned("item_results"),
    )
    _indexes("item_results")
    op.create_table(
        "participant_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("participant_code", sa.String(length=64), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=True),
        sa.Column("published_at", _INSTANT, nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("deadline_cite", sa.String(length=200), nullable=False),
        sa.Column("results", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"],
                                name=op.f("fk_participant_publications_publication_id_publications")),
        sa.UniqueConstraint("task_id", "participant_code",
                            name=op.f("uq_participant_publications_task_id_participant_code")),
        *_owned("participant_publications"),
    )
    _indexes("participant_publications")


def downgrade() -> None:
    op.drop_table("participant_publications")
    op.drop_table("item_results")
    op.drop_table("task_participants")
