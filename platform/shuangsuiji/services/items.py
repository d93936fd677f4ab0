"""The item list (随机抽查事项清单) under dynamic management: every change makes a new version.

A version holds a snapshot of the whole list of active items, so any old version stays
readable as it was published, and a draw records :func:`current_version_number` to say which
list it drew under. Items are never deleted (tasks reference them); :func:`retire_item` takes
one off the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shuangsuiji.canonical import digest
from shuangsuiji.db.base import utcnow
from shuangsuiji.db.tenancy import require_tenant
from shuangsuiji.errors import NotFound, UserError
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
from shuangsuiji.services.directories import as_text

if TYPE_CHECKING:
    from shuangsuiji.services.imports import ImportReport, ParsedFile

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
