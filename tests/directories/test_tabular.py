"""Reading files and fields: encodings, dates, credit codes, ratios, flags."""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest
from stdnum.cn import uscc

from shuangsuiji.services import import_fields as f
from shuangsuiji.tabular import TabularError, parse_date, read_table
from tests.directories.samples import code, csv_bytes, xlsx_bytes


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(encoding: str) -> None:
    table = read_table(csv_bytes(["企业名称", "住所"], [["渝中区公司", "解放碑"]], encoding),
                       "x.csv")
    assert table.headings == ["企业名称", "住所"]
    assert list(table.rows) == [(2, ["渝中区公司", "解放碑"])]


def test_blank_rows_keep_spreadsheet_numbering() -> None:
    table = read_table(b"a,b\n1,2\n,\n3,4\n", "x.csv")
    assert [n for n, _ in table.rows] == [2, 4]


def test_xlsx_and_old_excel() -> None:
    table = read_table(xlsx_bytes(["名称", "日期"], [["甲", datetime(2026, 3, 1)]]), "x.xlsx")
    assert list(table.rows) == [(2, ["甲", datetime(2026, 3, 1)])]
    with pytest.raises(TabularError, match="xlsx"):
        read_table(b"\xd0\xcf\x11\xe0", "old.xls")
    with pytest.raises(TabularError, match="not a readable XLSX"):
        read_table(b"PK\x03\x04 broken", "x.xlsx")


@pytest.mark.parametrize("text", ["2026-03-01", "2026/3/1", "2026年3月1日", "2026.03.01",
                                  "20260301", "2026-03-01 00:00:00", "2026 年 3 月 1 日"])
def test_dates(text: str) -> None:
    assert parse_date(text) == date(2026, 3, 1)


def test_excel_dates_and_bad_dates() -> None:
    assert parse_date(46082) == date(2026, 3, 1)
    assert parse_date(datetime(2026, 3, 1, 8)) == date(2026, 3, 1)
    for bad in ("2026-13-01", "3/1/2026", "下月", 1.5):
        with pytest.raises(ValueError):
            parse_date(bad)


def test_fast_credit_code_check_agrees_with_stdnum() -> None:
    rnd = random.Random(7)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(20000):
        candidate = "9" + "".join(rnd.choice("0123456789") for _ in range(7)) + "".join(
            rnd.choice(alphabet) for _ in range(10))
        if rnd.random() < 0.5:
            candidate = candidate[:17] + uscc.calc_check_digit(candidate[:17])
        try:
            ours: str | None = f.credit_code(candidate)
        except ValueError:
            ours = None
        assert (ours is not None) == uscc.is_valid(candidate), candidate


def test_credit_code_messages() -> None:
    good = code(42)
    assert f.credit_code(good.lower()) == good
    assert f.credit_code(f" {good[:6]} {good[6:]}") == good  # stdnum's compact form
    with pytest.raises(ValueError, match=f"should be {good[-1]}"):
        f.credit_code(good[:-1] + ("0" if good[-1] != "0" else "1"))
    with pytest.raises(ValueError, match="18 characters"):
        f.credit_code(good[:-2])
    with pytest.raises(ValueError, match="not a credit code"):
        f.credit_code("91500103O00000001X")
    assert f.credit_code("'" + good) == good
    with pytest.raises(ValueError, match="format the column as text"):
        f.credit_code(9.15001031234568e17)


def test_caps_methods_flags() -> None:
    assert f.cap("20%") == 200 and f.cap("200‰") == 200 and f.cap("12.5") == 125
    for bad in ("20.05%", "abc", "0%", "NaN"):
        with pytest.raises(ValueError):
            f.cap(bad)
    assert f.methods("现场检查、书面检查;testing") == ["on_site", "written", "testing"]
    entries = f.risk_flags("经营异常名录（2026年3月1日至2026年6月30日）；complaints")
    assert entries == (("abnormal_operations", date(2026, 3, 1), date(2026, 6, 30)),
                       ("complaints", None, None))
    assert f.risk_flags(f.format_flags(entries, "zh")) == entries
    with pytest.raises(ValueError, match="before it was listed"):
        f.risk_flags("行政处罚(2026-06-30~2026-03-01)")


def test_a_valid_code_is_decided_by_the_fast_check_without_stdnum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A million-row import relies on the inline check: a well-formed valid code (letters
    after the first 8 digits too) must not reach stdnum, which only decides the rest."""
    def refuse(code: str) -> str:
        raise AssertionError(f"stdnum was asked about {code!r}")

    rnd = random.Random(11)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    codes = []
    for _ in range(200):
        body = "9" + "".join(rnd.choice("0123456789") for _ in range(7)) + rnd.choice(
            "ABCDEFGH") + "".join(rnd.choice(alphabet) for _ in range(8))
        codes.append(body + uscc.calc_check_digit(body))
    monkeypatch.setattr(f.uscc, "validate", refuse)
    for valid in codes:
        assert f.credit_code(valid) == valid
        assert f.credit_code(valid.lower()) == valid
