"""tests/needs.py: a missing outside service skips a test locally and fails it in CI."""

from __future__ import annotations

import pytest

from tests import needs


@pytest.mark.parametrize("value", ["true", "1", "yes", "TRUE"])
def test_in_ci_a_missing_service_fails_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch, value: str,
) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception) as failed:
        needs.missing("chromium", "no browser at /usr/bin/chromium", "apt-get install chromium")
    assert "CI=true" in str(failed.value) and "apt-get install chromium" in str(failed.value)


@pytest.mark.parametrize("value", [None, "", "false", "0"])
def test_locally_a_missing_service_skips_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, value: str | None,
) -> None:
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception) as skipped:
        needs.missing("Redis", "no server answers", "apt-get install redis-server")
    assert str(skipped.value).startswith(needs.PREFIX + "Redis")
