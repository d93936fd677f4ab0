"""Translations: zh_CN by default, English on request, every string translated, Chinese dates."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.pofile import read_po
from flask import Flask

from shuangsuiji.web import i18n

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = i18n.TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def test_every_marked_string_has_a_chinese_translation(tmp_path: Path) -> None:
    """Extract the strings as `pybabel extract` does; each must be in the catalogue,
    translated, and not fuzzy. ``msg`` marks the services' messages (shuangsuiji.messages)."""
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "-k", "msg",
                    "-o", str(pot), str(ROOT)], check=True, capture_output=True, cwd=ROOT)
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    # the services, packs, file readers and API errors are extracted too
    assert {"empty; this column is required", "policy pack %(pack)r: %(problem)s",
            "the file is empty", "this needs an API token"} <= wanted
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    have = {m.id: m for m in catalogue if m.id}
    missing = sorted(str(w) for w in wanted if w not in have or not have[w].string
                     or have[w].fuzzy)
    assert missing == []
    assert len(wanted) > 300


def _entry_keys(po_text: str) -> list[tuple[str, str]]:
    """(msgctxt, msgid) of each entry of a .po text, continuation lines joined; babel's reader
    keeps the last of two equal entries silently, so this reads the text itself. An entry
    starts at its ``msgctxt``, or its ``msgid`` when it has none (a union merge may leave two
    entries with no blank line between them)."""
    keys: list[tuple[str, str]] = []
    fields: dict[str, str] = {}
    current = ""

    def flush() -> None:
        if fields.get("msgid"):
            keys.append((fields.get("msgctxt", ""), fields["msgid"]))
        fields.clear()

    for line in po_text.splitlines():
        if line.startswith("msgctxt ") or (line.startswith("msgid ") and current != "msgctxt"):
            flush()
        if line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
            current, _, rest = line.partition(" ")
            fields[current] = rest.strip().strip('"')
        elif line.startswith('"') and current:
            fields[current] += line.strip().strip('"')
    flush()
    return keys


def test_the_catalogue_has_each_message_once() -> None:
    """Branches merge the catalogue by union (.gitattributes); an entry added on two of them
    comes out twice. `msguniq --use-first` on the .po mends it (docs/testing.md)."""
    assert _entry_keys('msgid "a"\nmsgstr "甲"\nmsgctxt "x"\nmsgid ""\n"a"\nmsgstr "乙"\n\n'
                       'msgid "a"\nmsgstr "丙"\n') == [("", "a"), ("x", "a"), ("", "a")]
    keys = _entry_keys(CATALOGUE.read_text(encoding="utf-8"))
    twice = sorted({k for k in keys if keys.count(k) > 1})
    assert len(keys) > 300 and twice == []


def test_compiled_catalogue_is_fresh() -> None:
    mo = CATALOGUE.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= CATALOGUE.stat().st_mtime - 1


def test_english_on_request_and_chinese_dates(app: Flask) -> None:
    client = app.test_client()
    chinese = client.get("/login").get_data(as_text=True)
    assert "工作人员登录" in chinese and 'lang="zh-CN"' in chinese
    client.post("/language", data={"lang": "en", "next": "/login"})
    english = client.get("/login").get_data(as_text=True)
    assert "Staff sign-in" in english and 'lang="en"' in english
    with app.test_request_context():
        from flask import session
        from flask_babel import refresh

        session["lang"] = "zh_CN"
        assert i18n.chinese_date(date(2026, 11, 25)) == "2026年11月25日"
        # an instant: in Beijing time, to the minute, no zone offset in the text
        instant = datetime(2026, 11, 25, 17, 5, 39, tzinfo=UTC)
        assert i18n.chinese_date(instant) == "2026年11月26日 01:05"
        session["lang"] = "en"
        refresh()  # the locale is cached per request
        assert i18n.chinese_date(date(2026, 11, 25)) == "Nov 25, 2026"
        assert i18n.chinese_date(instant) == "Nov 26, 2026, 01:05"


def test_language_switch_refuses_unknown_languages(app: Flask) -> None:
    assert app.test_client().post("/language", data={"lang": "xx"}).status_code == 400
