"""background jobs: the jobs table and the files they read and write; the draw's
selections with one composite foreign key to draws (id, task_id, tenant_id) instead of three

Revision ID: 0003_scale
Revises: 0003_trust_draw
Create Date: 2026-12-01 22:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0003_scale"
down_revision: str | None = "0003_trust_draw"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTANT = (sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mariadb")
           .with_variant(mysql.DATETIME(fsp=6), "mysql"))
BLOB = (sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql")
        .with_variant(mysql.LONGBLOB(), "mariadb"))


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=False),
        sa.Column("created_at", INSTANT, nullable=False),
        sa.Column("started_at", INSTANT, nullable=True),
        sa.Column("finished_at", INSTANT, nullable=True),
        sa.Column("heartbeat_at", INSTANT, nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_jobs_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_state", ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "job_files",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("data", BLOB, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_job_files_job_id_jobs"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_job_files_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("job_id", "role", name=op.f("pk_job_files")),
    )
    with op.batch_alter_table("job_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_files_tenant_id"), ["tenant_id"], unique=False)

    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_draws_id_task_id_tenant_id",
                                          ["id", "task_id", "tenant_id"])
    with op.batch_alter_table("draw_selections", schema=None) as batch_op:
        for name in SELECTION_KEYS:
            batch_op.drop_constraint(name, type_="foreignkey")
        batch_op.create_foreign_key("fk_draw_selections_draw_id_draws", "draws",
                                    ["draw_id", "task_id", "tenant_id"],
                                    ["id", "task_id", "tenant_id"])


#: The three foreign keys the composite one replaces.
SELECTION_KEYS = ("fk_draw_selections_draw_id_draws", "fk_draw_selections_task_id_tasks",
                  "fk_draw_selections_tenant_id_tenants")


def downgrade() -> None:
    with op.batch_alter_table("draw_selections", schema=None) as batch_op:
        batch_op.drop_constraint("fk_draw_selections_draw_id_draws", type_="foreignkey")
        batch_op.create_foreign_key("fk_draw_selections_draw_id_draws", "draws",
                                    ["draw_id"], ["id"])
        batch_op.create_foreign_key("fk_draw_selections_task_id_tasks", "tasks",
                                    ["task_id"], ["id"])
        batch_op.create_foreign_key("fk_draw_selections_tenant_id_tenants", "tenants",
                                    ["tenant_id"], ["id"])
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.drop_constraint("uq_draws_id_task_id_tenant_id", type_="unique")
    op.drop_table("job_files")
    op.drop_table("jobs")
