"""The per-process store under the response cache: bounded by entries and by bytes."""

from __future__ import annotations

from shuangsuiji.caching.store import ResponseStore, StoredResponse


def entry(size: int, tenant_id: int = 1) -> StoredResponse:
    return StoredResponse(b"x" * size, (("Content-Type", "text/html"),), tenant_id)


def test_least_recently_used_entries_go_first() -> None:
    store = ResponseStore(max_entries=2, max_bytes=1000, max_entry_bytes=1000)
    store.put("a", entry(1))
    store.put("b", entry(1))
    assert store.get("a") is not None  # a is now the most recently used
    store.put("c", entry(1))
    assert store.get("b") is None
    assert store.get("a") is not None and store.get("c") is not None
    assert store.stats.evicted == 1


def test_bounded_by_bytes_and_too_large_entries_are_not_kept() -> None:
    store = ResponseStore(max_entries=100, max_bytes=250, max_entry_bytes=200)
    assert not store.put("huge", entry(201))
    assert store.get("huge") is None and store.stats.too_large == 1
    store.put("a", entry(100))
    store.put("b", entry(100))
    store.put("c", entry(100))
    assert store.size_bytes <= 250
    assert store.get("a") is None and len(store) == 2


def test_a_new_generation_drops_the_tenants_old_entries_only() -> None:
    store = ResponseStore(max_entries=10, max_bytes=1000, max_entry_bytes=1000)
    store.observe_generation(1, "g1")
    store.observe_generation(2, "h1")
    store.put(("t1", "g1"), entry(10, tenant_id=1))
    store.put(("t2", "h1"), entry(10, tenant_id=2))
    store.observe_generation(1, "g1")  # unchanged: nothing dropped
    assert len(store) == 2
    store.observe_generation(1, "g2")
    assert store.get(("t1", "g1")) is None
    assert store.get(("t2", "h1")) is not None
    assert store.size_bytes == 10 and store.stats.dropped == 1


def test_zero_entries_turns_storing_off() -> None:
    store = ResponseStore(max_entries=0, max_bytes=1000, max_entry_bytes=1000)
    assert not store.enabled
    assert not store.put("a", entry(1))
    assert store.get("a") is None
