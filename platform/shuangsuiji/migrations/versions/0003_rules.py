"""rules to the letter of the texts (issue #14): declared joint tasks with their divisions;
each item's threshold of a high ratio (CQ 第五条); item-list approval before publication
(MIIT 第五条, CQ 第四条)

Revision ID: 0003_rules
Revises: 0003_scale
Create Date: 2026-12-01 22:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# as the models' instants: zone-aware; microseconds on MariaDB/MySQL
_INSTANT = sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mariadb").with_variant(
    mysql.DATETIME(fsp=6), "mysql")

revision: str = "0003_rules"
# after the newest on main (0002 → security → trust_log → trust_draw → scale)
down_revision: str | None = "0003_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "superseding_provisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document", sa.String(length=120), nullable=False),
        sa.Column("article", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("item_codes", sa.JSON(), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=True),
        sa.Column("once_per_year", sa.Boolean(), nullable=False),
        sa.Column("frequency", sa.String(length=120), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_superseding_provisions_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_superseding_provisions")),
    )
    with op.batch_alter_table("superseding_provisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_superseding_provisions_tenant_id"), ["tenant_id"],
                              unique=False)
    op.create_table(
        "credit_publicity_handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("file_format", sa.String(length=8), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("handed_over_at", _INSTANT, nullable=False),
        sa.Column("handed_over_by", sa.String(length=120), nullable=False),
        sa.Column("confirmed_at", _INSTANT, nullable=True),
        sa.Column("confirmed_by", sa.String(length=120), nullable=True),
        sa.Column("confirmed_on", sa.Date(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["publication_id"], ["publications.id"],
                                name=op.f("fk_credit_publicity_handovers_publication_id_publications")),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"],
                                name=op.f("fk_credit_publicity_handovers_task_id_tasks")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_credit_publicity_handovers_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_publicity_handovers")),
    )
    with op.batch_alter_table("credit_publicity_handovers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_publicity_handovers_task_id"), ["task_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_credit_publicity_handovers_tenant_id"),
                              ["tenant_id"], unique=False)
    with op.batch_alter_table("published_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result_name", sa.String(length=200), nullable=True))
    op.execute("UPDATE published_results SET result_name = ''")
    with op.batch_alter_table("published_results", schema=None) as batch_op:
        batch_op.alter_column("result_name", existing_type=sa.String(length=200),
                              nullable=False)
    with op.batch_alter_table("item_list_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("approved_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("approval_document", sa.String(length=120),
                                      nullable=True))
        batch_op.add_column(sa.Column("approved_at", _INSTANT, nullable=True))
        batch_op.add_column(sa.Column("approval_actor", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("published_at", _INSTANT, nullable=True))
        batch_op.add_column(sa.Column("published_by", sa.String(length=120), nullable=True))
    # versions made before approval was recorded were in use as published: they stay so
    op.execute("UPDATE item_list_versions SET status = 'published'")
    with op.batch_alter_table("item_list_versions", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=16), nullable=False)
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("batch_order_min_permille", sa.Integer(), nullable=True))
    # MySQL refuses a literal default on a JSON column: add, fill, then make it required
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joint_divisions", sa.JSON(), nullable=True))
    op.execute("UPDATE tasks SET joint_divisions = '[]'")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.alter_column("joint_divisions", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    op.drop_table("superseding_provisions")
    op.drop_table("credit_publicity_handovers")
    with op.batch_alter_table("published_results", schema=None) as batch_op:
        batch_op.drop_column("result_name")
    with op.batch_alter_table("item_list_versions", schema=None) as batch_op:
        for name in ("published_by", "published_at", "approval_actor", "approved_at",
                     "approval_document", "approved_on", "approved_by", "status"):
            batch_op.drop_column(name)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("joint_divisions")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("batch_order_min_permille")
