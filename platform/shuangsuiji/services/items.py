"""The item list (随机抽查事项清单) under dynamic management: every change makes a new version.

A version holds a snapshot of the whole list of active items, so any old version stays
readable as it was published. Every version starts as a draft; the leadership's approval
(approver, date, document number) is recorded, and only then is it published (MIIT 第五条
报部领导批准后公布, CQ 第四条 报委领导批准后公布). Tasks and draws use only items as the
published version holds them (:func:`require_published`), the portal shows only that
version, and a draw records its number. Items are never deleted (tasks reference them);
:func:`retire_item` takes one off the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.canonical import digest
from shuangsuiji.db.base import utcnow
from shuangsuiji.db.tenancy import require_tenant
from shuangsuiji.errors import Conflict, NotFound, UserError
from shuangsuiji.messages import msg
from shuangsuiji.models.directories import (
    PUBLICATION_MODES,
    DirectoryChange,
    ImportBatch,
    Item,
    ItemListVersion,
)
from shuangsuiji.rules import METHODS
from shuangsuiji.services import audit
from shuangsuiji.services.directory_writes import as_text

if TYPE_CHECKING:
    from shuangsuiji.services.import_report import ImportReport, ParsedFile

#: The fields of an item, in the order of the item-list file and of a snapshot entry.
ITEM_FIELDS: tuple[str, ...] = (
    "code", "name", "content", "legal_basis", "subject", "methods", "frequency", "category",
    "cap_permille", "batch_order_min_permille", "publication_mode", "departments",
)


def snapshot_of(item: Item) -> dict[str, Any]:
    """An item as a plain dict (the form kept in a version's snapshot)."""
    return {f: getattr(item, f) for f in ITEM_FIELDS}


def list_items(session: Session, *, include_retired: bool = False) -> list[Item]:
    """The current tenant's items, by code."""
    stmt = select(Item)
    if not include_retired:
        stmt = stmt.where(Item.active.is_(True))
    return sorted(session.scalars(stmt), key=lambda i: i.code)


def get_item(session: Session, code: str) -> Item:
    """The item with ``code`` in the current tenant."""
    item = session.scalar(select(Item).where(Item.code == code))
    if item is None:
        raise NotFound(msg("no item %(code)r in the item list", code=code),
                       hint=msg("`ssj export items` lists the item codes"))
    return item


def current_version_number(session: Session) -> int:
    """The number of the current item-list version (0 when no list was ever made)."""
    return session.scalar(select(func.max(ItemListVersion.number))) or 0


def list_versions(session: Session) -> list[ItemListVersion]:
    """Every version of the current tenant's item list, oldest first."""
    return list(session.scalars(select(ItemListVersion).order_by(ItemListVersion.number)))


def get_version(session: Session, number: int) -> ItemListVersion:
    """Version ``number`` of the item list, with its snapshot of the whole list."""
    version = session.scalar(select(ItemListVersion).where(ItemListVersion.number == number))
    if version is None:
        raise NotFound(msg("no item-list version %(number)s", number=number),
                       hint=msg("versions run from 1 to %(last)s",
                                last=current_version_number(session)))
    return version


def item_in_version(session: Session, number: int, code: str) -> dict[str, Any]:
    """Item ``code`` as it stood in version ``number``."""
    for entry in get_version(session, number).snapshot:
        if entry["code"] == code:
            return entry
    raise NotFound(msg("item %(code)r is not in item-list version %(number)s", code=code,
                       number=number))


def new_version(session: Session, *, actor: str, note: str = "",
                batch: ImportBatch | None = None) -> ItemListVersion:
    """Snapshot the current list as the next version (call after every change)."""
    tenant_id = require_tenant(session)
    session.flush()
    snapshot = [snapshot_of(i) for i in list_items(session)]
    version = ItemListVersion(
        tenant_id=tenant_id, number=current_version_number(session) + 1, actor=actor,
        note=note, import_batch_id=batch.id if batch else None, snapshot=snapshot,
        digest=digest(snapshot),
    )
    session.add(version)
    session.flush()
    return version


def _record_changes(session: Session, tenant_id: int, item: Item,
                    changes: list[tuple[str, object, object]], batch_id: int | None) -> None:
    now = utcnow()
    session.add_all(
        DirectoryChange(tenant_id=tenant_id, kind="items", key=item.code, field=f,
                        old=as_text(old), new=as_text(new), batch_id=batch_id, at=now)
        for f, old, new in changes
    )


def _check_values(values: dict[str, Any]) -> None:
    # The web form hands typed values; the import has checked its own already.
    if not values.get("code") or not values.get("name"):
        raise UserError(msg("an item needs a code (事项编码) and a name (事项名称)"))
    bad = [m for m in values.get("methods", []) if m not in METHODS]
    if bad:
        raise UserError(msg("unknown method %(method)r", method=bad[0]), where="抽查方式",
                        hint=msg("use: %(choices)s", choices=METHODS))
    mode = values.get("publication_mode", "public")
    if mode not in PUBLICATION_MODES:
        raise UserError(msg("unknown publication mode %(mode)r", mode=mode), where="公开方式",
                        hint=msg("use: %(choices)s", choices=PUBLICATION_MODES))


def _apply(item: Item, values: dict[str, Any]) -> list[tuple[str, object, object]]:
    changes = []
    for name, new in values.items():
        old = getattr(item, name)
        if old != new:
            changes.append((name, old, new))
            setattr(item, name, new)
    if not item.active:
        changes.append(("active", False, True))
        item.active = True
    if changes:
        item.updated_at = utcnow()
    return changes


def save_item(session: Session, values: dict[str, Any], *, actor: str,
              note: str = "") -> ItemListVersion | None:
    """Create or change one item (the web form) and make a new list version.

    ``values`` maps fields of :data:`ITEM_FIELDS` to stored values (``methods`` as codes,
    ``cap_permille`` as an int). Returns the new version, or None if nothing changed.
    """
    tenant_id = require_tenant(session)
    _check_values(values)
    item = session.scalar(select(Item).where(Item.code == values["code"]))
    created = item is None
    if item is None:
        item = Item(tenant_id=tenant_id, code=values["code"], name=values["name"])
        session.add(item)
    changes = _apply(item, {k: v for k, v in values.items() if k in ITEM_FIELDS})
    if not changes and not created:
        return None
    session.flush()
    if not created:
        _record_changes(session, tenant_id, item, changes, None)
    version = new_version(session, actor=actor, note=note or f"item {item.code} saved")
    audit.record(session, tenant_id=tenant_id, action="items.save", object_type="item",
                 object_id=item.code, actor=actor,
                 payload={"created": created, "fields": sorted(c[0] for c in changes),
                          "item_list_version": version.number})
    return version


def retire_item(session: Session, code: str, *, actor: str, note: str = "") -> ItemListVersion:
    """Take an item off the list (it stays stored for the tasks that used it)."""
    tenant_id = require_tenant(session)
    item = get_item(session, code)
    if not item.active:
        raise UserError(msg("item %(code)r is already off the list", code=code))
    item.active = False
    item.updated_at = utcnow()
    _record_changes(session, tenant_id, item, [("active", True, False)], None)
    version = new_version(session, actor=actor, note=note or f"item {code} retired")
    audit.record(session, tenant_id=tenant_id, action="items.retire", object_type="item",
                 object_id=code, actor=actor, payload={"item_list_version": version.number,
                                                      "note": note})
    return version


def apply_import(session: Session, tenant_id: int, parsed: ParsedFile, report: ImportReport,
                 batch: ImportBatch | None, *, filename: str) -> None:
    """Upsert the file's items by code; a new list version if anything changed.

    Items the file leaves out stay on the list (retire them with :func:`retire_item`).
    """
    stored = {i.code: i for i in session.scalars(select(Item))}
    changed = 0
    inserted = 0
    for record in parsed.records:
        values = dict(zip(parsed.fields, record, strict=True))
        item = stored.get(str(values["code"]))
        if item is None:
            inserted += 1
            if not report.dry_run:
                item = Item(tenant_id=tenant_id, code=values["code"], name=values["name"])
                session.add(item)
                _apply(item, values)
            continue
        if report.dry_run:
            differs = any(getattr(item, k) != v for k, v in values.items()) or not item.active
            changed += differs
            continue
        changes = _apply(item, values)
        if changes:
            changed += 1
            report.changes += len(changes)
            _record_changes(session, tenant_id, item, changes, batch.id if batch else None)
    report.inserted = inserted
    report.updated = changed
    report.unchanged = len(parsed.records) - inserted - changed
    if report.dry_run or not (inserted or changed):
        report.item_list_version = current_version_number(session) or None
        return
    version = new_version(session, actor=batch.actor if batch else "system",
                          note=f"import of {filename}", batch=batch)
    report.item_list_version = version.number


# --- approval and publication (MIIT 第五条 报部领导批准后公布; CQ 第四条 报委领导批准后公布) ---


def approve_version(session: Session, number: int, *, approver: str, approved_on: date,
                    document: str, actor: str, today: date | None = None) -> ItemListVersion:
    """Record that the leadership approved draft version ``number`` of the item list.

    Only the newest version can be approved (an older draft was superseded by a later
    change); the approver, the date of approval and the approving document's number are
    all required, and the date cannot be in the future (Asia/Shanghai).
    """
    tenant_id = require_tenant(session)
    version = get_version(session, number)
    where = "version"
    if version.status != "draft":
        raise Conflict(msg("item-list version %(number)s is already %(status)s",
                           number=number, status=version.status), where=where)
    latest = current_version_number(session)
    if number != latest:
        raise Conflict(msg("item-list version %(number)s was superseded by version "
                           "%(latest)s", number=number, latest=latest), where=where,
                       hint=msg("approve the newest version, %(latest)s", latest=latest))
    approver, document = approver.strip(), document.strip()
    missing = [name for name, value in (("approver", approver), ("document", document))
               if not value]
    if missing:
        raise UserError(msg("an approval needs the approver and the approving document's "
                            "number; missing: %(missing)s", missing=missing), where=where,
                        hint=msg("e.g. --approver 张三 --document 渝经信发〔2026〕3号"))
    if today is None:
        # lifecycle's today_in_china, without importing it (lifecycle imports draws → items)
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    if approved_on > today:
        raise UserError(msg("the approval date %(on)s is after today (%(today)s, Asia/"
                            "Shanghai)", on=approved_on.isoformat(), today=today.isoformat()),
                        where=where, hint=msg("give the day the approval was signed"))
    version.status = "approved"
    version.approved_by = approver
    version.approved_on = approved_on
    version.approval_document = document
    version.approved_at = utcnow()
    version.approval_actor = actor
    audit.record(session, tenant_id=tenant_id, action="items.approve",
                 object_type="item_list_version", object_id=number, actor=actor,
                 payload={"number": number, "digest": version.digest, "approver": approver,
                          "approved_on": approved_on, "document": document})
    return version


def publish_version(session: Session, number: int, *, actor: str) -> ItemListVersion:
    """Publish approved version ``number``: from now on plans, tasks and draws use it and the
    portal shows it. A draft cannot be published; nor can a version older than the one
    already published."""
    tenant_id = require_tenant(session)
    version = get_version(session, number)
    where = "version"
    if version.status == "published":
        raise Conflict(msg("item-list version %(number)s is already published",
                           number=number), where=where)
    if version.status != "approved":
        raise UserError(msg("item-list version %(number)s is a draft: it must be approved "
                            "before it is published (MIIT 第五条, CQ 第四条)", number=number),
                        where=where, hint=msg("`ssj items approve --version %(number)s "
                                              "--approver ... --on ... --document ...`",
                                              number=number))
    current = published_version(session)
    if current is not None and current.number > number:
        raise Conflict(msg("version %(current)s, newer than %(number)s, is already published",
                           current=current.number, number=number), where=where)
    version.status = "published"
    version.published_at = utcnow()
    version.published_by = actor
    audit.record(session, tenant_id=tenant_id, action="items.publish",
                 object_type="item_list_version", object_id=number, actor=actor,
                 payload={"number": number, "digest": version.digest,
                          "approved_by": version.approved_by,
                          "approval_document": version.approval_document})
    return version


def published_version(session: Session) -> ItemListVersion | None:
    """The item-list version in force: the newest published one (None before the first)."""
    return session.scalar(select(ItemListVersion).where(ItemListVersion.status == "published")
                          .order_by(ItemListVersion.number.desc()).limit(1))


def require_published(session: Session, items: Sequence[Item]) -> ItemListVersion:
    """The published version, once every one of ``items`` stands in it as it is now.

    A draft or an unapproved change cannot be used by a task or a draw (MIIT 第五条, CQ
    第四条): refused, naming the items and what to approve.
    """
    version = published_version(session)
    if version is None:
        raise UserError(msg("the item list has not been approved and published yet"),
                        where="items",
                        hint=msg("approve and publish it: `ssj items approve` then `ssj items "
                                 "publish` (MIIT 第五条, CQ 第四条)"))
    entries = {e.get("code"): e for e in version.snapshot}
    pending = [i.code for i in items if entries.get(i.code) != _comparable(i, entries)]
    if pending:
        raise UserError(msg("item %(codes)s has changes not yet approved and published "
                            "(published item list: version %(number)s)", codes=pending,
                            number=version.number), where="items",
                        hint=msg("approve and publish the newest item-list version first, or "
                                 "use the items as published"))
    return version


def _comparable(item: Item, entries: dict[Any, dict[str, Any]]) -> dict[str, Any] | None:
    """The item as a snapshot entry, with only the fields the published entry holds (a
    version made before a field existed does not hold it)."""
    entry = entries.get(item.code)
    if entry is None:
        return None
    return {f: getattr(item, f) for f in ITEM_FIELDS if f in entry}


def approve_and_publish(session: Session, *, approver: str, approved_on: date, document: str,
                        actor: str) -> ItemListVersion:
    """Approve the newest draft and publish it in one step (an approval given off-platform,
    recorded with its approver, date and document number, as the demo and imports of an
    already approved list do)."""
    number = current_version_number(session)
    approve_version(session, number, approver=approver, approved_on=approved_on,
                    document=document, actor=actor)
    return publish_version(session, number, actor=actor)
