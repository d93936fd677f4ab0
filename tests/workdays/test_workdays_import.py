"""Importing a State Council holiday notice typed by an administrator as CSV or TOML."""

from __future__ import annotations

import codecs
from datetime import date

import pytest

from shuangsuiji.workdays import (
    CalendarImportError,
    NamedDay,
    load_calendar_file,
    parse_calendar,
)

HEADER_ZH = "日期,类型,名称\n"


def issues_of(data: bytes, filename: str = "holidays-2027.csv") -> list[str]:
    with pytest.raises(CalendarImportError) as caught:
        parse_calendar(data, filename)
    return [str(i) for i in caught.value.issues]


# --- good files -------------------------------------------------------------------------


def test_csv_file_gives_the_notice_as_written(data_dir, calendar_2027) -> None:
    assert load_calendar_file(data_dir / "holidays-2027.csv") == [calendar_2027]


def test_toml_file_gives_the_same_calendar(data_dir, calendar_2027) -> None:
    assert load_calendar_file(data_dir / "holidays-2027.toml") == [calendar_2027]


def test_gbk_csv_as_excel_on_chinese_windows_saves_it(data_dir, calendar_2027) -> None:
    text = (data_dir / "holidays-2027.csv").read_text(encoding="utf-8")
    gbk = text.replace("\n", "\r\n").encode("gbk")  # Excel also writes CRLF
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")  # make sure this really is not UTF-8 in disguise
    assert parse_calendar(gbk, "holidays-2027.csv") == [calendar_2027]


def test_utf8_bom_english_headers_and_excel_date_forms() -> None:
    data = (
        codecs.BOM_UTF8
        + (
            "Date,Kind,Name\n"
            "2027/1/1,holiday,元旦\n"  # Excel's zh_CN display
            "2027年1月2日,Holiday,元旦\n"  # the notice's own form
            "2027-02-20,workday,春节\n"
        ).encode()
    )
    [cal] = parse_calendar(data, "notice.csv", source="国办发明电〔2026〕N号")
    assert cal.year == 2027
    assert cal.source == "国办发明电〔2026〕N号"
    assert cal.holidays == (
        NamedDay(date(2027, 1, 1), "元旦"),
        NamedDay(date(2027, 1, 2), "元旦"),
    )
    assert cal.workdays == (NamedDay(date(2027, 2, 20), "春节"),)


def test_without_a_source_the_file_name_is_recorded() -> None:
    data = (HEADER_ZH + "2027-01-01,休假,元旦\n").encode("utf-8")
    [cal] = parse_calendar(data, "uploads/holidays-2027.csv")
    assert cal.source == "holidays-2027.csv"


def test_december_days_of_a_new_year_break_belong_to_next_years_notice() -> None:
    # As in the 2019 notice: 2018-12-29 worked, 2018-12-30 to 2019-01-01 off.
    data = (
        HEADER_ZH + "2018-12-29,调休上班,元旦\n2018-12-30,休假,元旦\n"
        "2018-12-31,休假,元旦\n2019-01-01,休假,元旦\n"
    ).encode("utf-8")
    [cal] = parse_calendar(data, "holidays-2019.csv")
    assert cal.year == 2019
    assert len(cal.holidays) == 3
    assert cal.workdays == (NamedDay(date(2018, 12, 29), "元旦"),)


# --- bad CSV files ----------------------------------------------------------------------


def test_bad_date_names_file_line_and_column() -> None:
    data = HEADER_ZH + "2027-02-06,休假,春节\n2027-02-07,休假,春节\n2027-02-30,休假,春节\n"
    assert issues_of(data.encode("utf-8")) == [
        "holidays-2027.csv line 4, column 日期: '2027-02-30' is not a date "
        "(write it as YYYY-MM-DD, e.g. 2027-02-06)"
    ]


def test_every_bad_line_is_reported_at_once() -> None:
    data = (
        "# typed from the notice\n"
        + HEADER_ZH
        + "2027-01-01,休假,元旦\n"
        + "2027-13-01,休假,元旦\n"  # line 4: no 13th month
        + "2027-02-06,休息,春节\n"  # line 5: unknown kind
        + "\n"
        + "2027-02-07,休假,\n"  # line 7: a day off without a name
        + "2027-01-01,休假,元旦\n"  # line 8: duplicate of line 3
        + "2027-02-08,调休上班,春节\n"  # line 9: a Monday cannot be a make-up workday
    )
    issues = issues_of(data.encode("utf-8"))
    assert [i.split(":")[0] for i in issues] == [
        "holidays-2027.csv line 4, column 日期",
        "holidays-2027.csv line 5, column 类型",
        "holidays-2027.csv line 7, column 名称",
        "holidays-2027.csv line 8, column 日期",
        "holidays-2027.csv line 9, column 日期",
    ]
    assert "'休息' is not a known kind; use 休假 (or holiday)" in issues[1]
    assert "already listed (line 3)" in issues[3]
    assert "is a 周一" in issues[4]


def test_gbk_file_with_errors_reports_chinese_text_and_lines() -> None:
    data = HEADER_ZH + "2027-01-01,休假,元旦\n2027-02-30,放假,春节\n2027-02-06,调休,春节\n"
    issues = issues_of(data.encode("gbk"))
    assert issues[0].startswith("holidays-2027.csv line 3, column 日期: '2027-02-30'")
    assert issues[1].startswith("holidays-2027.csv line 4, column 类型: '调休' is not a known")


def test_missing_column_is_reported_once_on_the_header() -> None:
    data = ("日期,类型\n2027-01-01,休假\n2027-01-02,休假\n").encode()
    [issue] = issues_of(data)
    assert issue.startswith("holidays-2027.csv line 1, column 名称/name: missing column")
    assert "the header row has 日期, 类型" in issue


def test_unreadable_encoding_says_how_to_save() -> None:
    data = HEADER_ZH.encode("utf-8") + b"2027-01-01,\xff\xfe,x\n"
    [issue] = issues_of(data)
    assert issue.startswith("holidays-2027.csv line 2: byte")
    assert "UTF-8 or GBK" in issue


def test_too_many_values_hints_at_quoting() -> None:
    data = (HEADER_ZH + "2027-01-01,休假,元旦,新年\n").encode("utf-8")
    [issue] = issues_of(data)
    assert "line 2" in issue and "must be quoted" in issue


def test_empty_file_and_unknown_type() -> None:
    assert "the file is empty" in issues_of(b"")[0]
    assert "unknown file type '.xlsx'" in issues_of(b"x", "holidays-2027.xlsx")[0]


def test_two_sources_for_one_year_are_refused() -> None:
    data = "日期,类型,名称,来源\n2027-01-01,休假,元旦,通知A\n2027-01-02,休假,元旦,通知B\n".encode()
    assert "one year comes from one notice" in issues_of(data)[0]


# --- bad TOML files ---------------------------------------------------------------------


def test_toml_syntax_error_gives_line() -> None:
    data = 'year = 2027\nsource = "x"\n[[festival]]\nname = 春节\n'.encode()
    [issue] = issues_of(data, "holidays-2027.toml")
    assert issue.startswith("holidays-2027.toml line 4: not valid TOML")


def test_toml_field_problems_give_line_and_key_path() -> None:
    data = (
        "year = 2027\n"
        'source = "国办发明电〔2026〕N号"\n'
        "\n"
        "[[festival]]\n"  # line 4
        'name = "元旦"\n'
        "from = 2027-01-01\n"
        "to = 2027-01-03\n"
        "\n"
        "[[festival]]\n"  # line 9
        'name = "春节"\n'
        "from = 2027-02-06\n"
        'to = "2027-02-30"\n'
        "workdays = [2027-02-20, 2026-02-14]\n"
        "holiday = true\n"
    ).encode()
    issues = issues_of(data, "holidays-2027.toml")
    assert issues == [
        "holidays-2027.toml line 9, field festival[2].holiday: unknown key; "
        "allowed: from, name, to, workdays",
        "holidays-2027.toml line 9, field festival[2].to: '2027-02-30' is not a date "
        "(write it as YYYY-MM-DD, e.g. 2027-02-06)",
        "holidays-2027.toml line 9, field festival[2].workdays[2]: '2026-02-14' is outside "
        "year = 2027 (only the December before may appear, for a 元旦 break)",
    ]


def test_toml_without_year_source_or_festivals() -> None:
    issues = issues_of(b"title = 'x'\n", "holidays-2027.toml")
    assert [i.split(":")[0] for i in issues] == [
        "holidays-2027.toml, field year",
        "holidays-2027.toml, field source",
        "holidays-2027.toml, field festival",
    ]


def test_error_message_lists_everything_for_the_cli() -> None:
    data = (HEADER_ZH + "2027-02-30,休假,春节\n2027-02-31,休假,春节\n").encode("utf-8")
    with pytest.raises(CalendarImportError) as caught:
        parse_calendar(data, "holidays-2027.csv")
    text = str(caught.value)
    assert text.splitlines()[0] == "2 problems in the holiday calendar; nothing imported"
    assert "line 2" in text and "line 3" in text
