"""blob chunks: large stored bytes (pools, the public bundle's pool) in pieces, each row far
below MariaDB's max_allowed_packet

Revision ID: 0004_scale2
Revises: 0004_orgs
Create Date: 2026-12-02 01:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0004_scale2"
down_revision: str | None = "0004_orgs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BLOB = (sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql")
        .with_variant(mysql.LONGBLOB(), "mariadb"))


def upgrade() -> None:
    op.create_table(
        "blob_chunks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", BLOB, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_blob_chunks_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blob_chunks")),
        sa.UniqueConstraint("kind", "owner_id", "seq",
                            name=op.f("uq_blob_chunks_kind_owner_id_seq")),
    )
    with op.batch_alter_table("blob_chunks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blob_chunks_tenant_id"), ["tenant_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("blob_chunks")
