"""the transparency log: each event's completed subtrees (audit_events.log_nodes), issued
checkpoints (log_checkpoints),
what the witness saw (log_witnessed); the log is built over the events already recorded

Revision ID: 0003_trust_log
Revises: 0002
Create Date: 2026-12-01 22:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "0003_trust_log"
down_revision: str | None = "0003_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INSTANT = sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mariadb") \
    .with_variant(mysql.DATETIME(fsp=6), "mysql")


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("log_nodes", sa.LargeBinary(), nullable=True))
    op.create_table(
        "log_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.Column("key_id", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_log_checkpoints_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_checkpoints")),
        sa.UniqueConstraint("tenant_id", "tree_size", "key_id",
                            name=op.f("uq_log_checkpoints_tenant_id_tree_size_key_id")),
    )
    with op.batch_alter_table("log_checkpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_log_checkpoints_tenant_id"), ["tenant_id"],
                              unique=False)
    op.create_table(
        "log_witnessed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=255), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("cosigned", sa.Text(), nullable=False),
        sa.Column("seen_at", _INSTANT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_log_witnessed")),
        sa.UniqueConstraint("origin", name=op.f("uq_log_witnessed_origin")),
    )
    _build_existing_logs()


def _build_existing_logs() -> None:
    """Start each tenant's log over the events it already has (leaf i = event seq i+1).
    Core tables named here, not the models, so later model changes cannot break this step."""
    from shuangsuiji.kernel import logtree, merkle
    from shuangsuiji.canonical import instant

    conn = op.get_bind()
    tenants = sa.table("tenants", sa.column("id"), sa.column("slug"))
    events = sa.table("audit_events", sa.column("at", sa.DateTime(timezone=True)), *(
        sa.column(c) for c in ("tenant_id", "seq", "actor", "action", "object_type",
                               "object_id", "payload_digest")))
    blobs = sa.table("audit_events", sa.column("tenant_id"), sa.column("seq"),
                     sa.column("log_nodes", sa.LargeBinary()))
    for tenant in conn.execute(sa.select(tenants.c.id, tenants.c.slug)).all():
        frontier: dict[tuple[int, int], bytes] = {}
        rows = conn.execute(sa.select(events).where(events.c.tenant_id == tenant.id)
                            .order_by(events.c.seq)).all()
        for i, e in enumerate(rows):
            leaf = merkle.leaf_hash(logtree.event_leaf({
                "action": e.action, "actor": e.actor, "at": instant(e.at),
                "object_id": e.object_id, "object_type": e.object_type,
                "payload_digest": e.payload_digest, "seq": e.seq, "tenant": tenant.slug}))
            wanted = logtree.append_siblings(i)
            made = logtree.appended_nodes(i, leaf, [frontier[n] for n in wanted])
            for n in wanted:
                del frontier[n]
            frontier[made[-1][0]] = made[-1][1]
            conn.execute(sa.update(blobs).where(blobs.c.tenant_id == tenant.id,
                                                blobs.c.seq == e.seq)
                         .values(log_nodes=b"".join(h for _, h in made)))


def downgrade() -> None:
    op.drop_table("log_witnessed")
    with op.batch_alter_table("log_checkpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_log_checkpoints_tenant_id"))
    op.drop_table("log_checkpoints")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("log_nodes")
