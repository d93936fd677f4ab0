"""Field readers for directory imports, and their writers for exports.

A reader takes a non-empty cell (already NFC-normalised and trimmed when it was text) and
returns the stored value, or raises ``ValueError`` whose message (a translatable
:func:`~shuangsuiji.messages.msg`) is the reason shown to the user. A writer turns a
stored value back into the text an export puts in the cell, in Chinese (``"zh"``) or English
(``"en"``), such that the reader reads it back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from operator import mul

from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from shuangsuiji.messages import msg, reason
from shuangsuiji.rules import METHODS, RISK_FLAGS, ItemCategory
from shuangsuiji.tabular.dates import parse_date

Reader = Callable[[object], object]


class _Unreadable:
    """The value of a cell its column's reader refused (the problem is already recorded with
    the cell's text): no later check of the row sees the raw text, so a key column's
    ``compact`` form is only ever taken of a value its reader accepted."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNREADABLE"


UNREADABLE = _Unreadable()

# GB 32100-2015: the alphabet of a credit code and the weights of its first 17 characters.
# The same values as stdnum.cn.uscc; test_fields checks that both always agree.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_LIST_SEPARATORS = re.compile(r"\s*[;；,，、/|]\s*")


def text(value: object) -> str:
    """A cell as text. Whole numbers from XLSX lose their ``.0`` (codes typed as numbers)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def split_list(value: object) -> list[str]:
    """A list cell: items separated by ; ； , ， 、 / or |, blanks dropped."""
    return [part for part in _LIST_SEPARATORS.split(text(value).strip()) if part]


def credit_code(value: object) -> str:
    """A 统一社会信用代码, upper-cased and checked (GB 32100-2015, via python-stdnum).

    The common case (a well-formed, valid code) is checked inline, because calling stdnum for
    each of a million rows triples the import time; anything the fast check does not accept
    goes to ``stdnum.cn.uscc.validate``, which decides and says why.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An all-digit code typed into a number cell: Excel keeps 15 significant digits.
        raise ValueError(msg("the code is stored as a number, so Excel has changed its last "
                             "digits; format the column as text (文本) and enter the codes "
                             "again"))
    code = text(value).upper()
    if len(code) == 18 and code[:8].isdigit():
        try:
            total = sum(map(mul, map(_USCC_VALUE.__getitem__, code[:17]), _USCC_WEIGHTS))
        except KeyError:
            pass
        else:
            if _USCC_ALPHABET[-total % 31] == code[17]:
                return code
    # Some exports prefix an apostrophe to keep Excel from reading the code as a number.
    code = code.lstrip("'‘’")
    try:
        return str(uscc.validate(code))
    except stdnum_errors.InvalidChecksum:
        expected = uscc.calc_check_digit(code)
        raise ValueError(msg(
            "bad check character: the 18th character should be %(expected)s, not "
            "%(found)s (a typing error in the code?)",
            expected=expected, found=uscc.compact(code)[17],
        )) from None
    except stdnum_errors.InvalidLength:
        raise ValueError(msg(
            "a credit code has 18 characters, this one has %(length)d",
            length=len(uscc.compact(code)),
        )) from None
    except stdnum_errors.ValidationError:
        raise ValueError(msg(
            "not a credit code: 8 digits, then 10 digits or capital letters "
            "(not I, O, S, V or Z)"
        )) from None


def credit_code_key(code: object) -> int | str:
    """A credit code :func:`credit_code` accepted (18 characters of 0-9 and capital letters)
    as one integer, the same for the same code only: a million of them take 40 % less memory
    than the texts. Anything else (parse_rows never passes it one) is its own text, never an
    exception: an integer and a text are never equal keys. (``int(text, 36)`` alone would
    also read "_" between digits and full-width digits, and raise on the rest.)"""
    text = str(code)
    if len(text) == 18 and text.isascii() and text.isalnum():
        return int(text, 36)
    return text


def a_date(value: object) -> date:
    """A date in any of the accepted forms (see :func:`shuangsuiji.tabular.parse_date`)."""
    return parse_date(value)


_TRUE = {"是", "yes", "y", "true", "1", "√", "✓"}
_FALSE = {"否", "no", "n", "false", "0", "×"}


def boolean(value: object) -> bool:
    """是/否, yes/no, true/false, 1/0."""
    word = text(value).lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(msg("%(word)r is not yes or no; write 是 or 否 (yes/no)", word=word))


# --- risk flags ------------------------------------------------------------------------

FLAG_NAMES_ZH: dict[str, str] = {
    "complaints": "投诉举报多",
    "abnormal_operations": "经营异常名录",
    "bad_credit": "不良信用记录",
    "administrative_penalty": "行政处罚",
}
_FLAG_WORDS: dict[str, str] = {
    **{code: code for code in RISK_FLAGS},
    **{zh: code for code, zh in FLAG_NAMES_ZH.items()},
    "投诉举报": "complaints",
    "列入经营异常名录": "abnormal_operations",
    "经营异常": "abnormal_operations",
    "不良信用": "bad_credit",
    "被行政处罚": "administrative_penalty",
}
_FLAG_ENTRY = re.compile(r"^(.+?)\s*[(（]\s*(.*?)\s*[)）]$")
_RANGE = re.compile(r"\s*(?:~|～|至|—|–)\s*")
_FLAG_SEPARATORS = re.compile(r"\s*[;；、]\s*")

FlagEntry = tuple[str, date | None, date | None]  # (flag, listed_on, removed_on)


def risk_flags(value: object) -> tuple[FlagEntry, ...]:
    """A 风险标记 cell: ``投诉举报多; 经营异常名录(2026-03-01~2026-06-30)``.

    Entries are separated by ``;`` ``；`` or ``、``; each is a flag name in Chinese or English,
    optionally followed by ``(listed)`` or ``(listed~removed)`` (``至`` also separates).
    """
    entries: dict[tuple[str, date | None], date | None] = {}
    for part in _FLAG_SEPARATORS.split(text(value)):
        if not part:
            continue
        listed: date | None = None
        removed: date | None = None
        match = _FLAG_ENTRY.match(part)
        name = match.group(1) if match else part
        code = _FLAG_WORDS.get(name) or _FLAG_WORDS.get(name.lower())
        if code is None:
            known = "、".join(FLAG_NAMES_ZH.values())
            raise ValueError(msg("unknown risk flag %(name)r; known: %(known)s (%(codes)s)",
                                 name=name, known=known, codes=RISK_FLAGS))
        if match:
            ends = _RANGE.split(match.group(2), maxsplit=1)
            try:
                listed = parse_date(ends[0]) if ends[0] else None
                removed = parse_date(ends[1]) if len(ends) > 1 and ends[1] else None
            except ValueError as exc:
                raise ValueError(msg("risk flag %(name)s: %(problem)s", name=name,
                                     problem=reason(exc))) from None
            if listed and removed and removed <= listed:
                raise ValueError(msg("risk flag %(name)s: removed on %(removed)s before it was "
                                     "listed on %(listed)s", name=name,
                                     removed=removed.isoformat(), listed=listed.isoformat()))
        if (code, listed) in entries:
            raise ValueError(msg("risk flag %(name)s is listed twice", name=name))
        entries[(code, listed)] = removed
    return tuple(sorted(((f, lo, ro) for (f, lo), ro in entries.items()), key=flag_sort_key))


def flag_sort_key(entry: FlagEntry) -> tuple[str, date, date]:
    """Stable order of flag entries (by flag, then dates; unknown dates first)."""
    return (entry[0], entry[1] or date.min, entry[2] or date.max)


def format_flags(entries: Iterable[FlagEntry], lang: str) -> str:
    """The 风险标记 cell for ``entries``, readable by :func:`risk_flags`."""
    parts = []
    for flag, listed, removed in sorted(entries, key=flag_sort_key):
        name = FLAG_NAMES_ZH[flag] if lang == "zh" else flag
        if listed or removed:
            span = (listed.isoformat() if listed else "") + (
                f"~{removed.isoformat()}" if removed else ""
            )
            name += f"({span})"
        parts.append(name)
    return "; ".join(parts)


# --- items -----------------------------------------------------------------------------

METHOD_NAMES_ZH: dict[str, str] = {
    "written": "书面检查",
    "on_site": "现场检查",
    "network_monitoring": "网络监测",
    "testing": "检验检测",
}
_METHOD_WORDS: dict[str, str] = {
    **{code: code for code in METHODS},
    **{zh: code for code, zh in METHOD_NAMES_ZH.items()},
    "书面": "written",
    "现场": "on_site",
    "on-site": "on_site",
    "网络": "network_monitoring",
    "网络监测检查": "network_monitoring",
    "检验": "testing",
    "检测": "testing",
}


def methods(value: object) -> list[str]:
    """抽查方式: one or more methods, in Chinese or English, as a list of codes."""
    found: list[str] = []
    for word in split_list(value):
        code = _METHOD_WORDS.get(word) or _METHOD_WORDS.get(word.lower())
        if code is None:
            raise ValueError(msg(
                "unknown method %(word)r; use %(names)s (%(codes)s)", word=word,
                names="、".join(METHOD_NAMES_ZH.values()), codes=METHODS,
            ))
        if code not in found:
            found.append(code)
    return found


def format_methods(codes: Sequence[str], lang: str) -> str:
    """The 抽查方式 cell for ``codes``."""
    return "; ".join(METHOD_NAMES_ZH[c] if lang == "zh" else c for c in codes)


CATEGORY_NAMES_ZH = {"key": "重点", "general": "一般"}
_CATEGORY_WORDS = {
    "key": "key", "重点": "key", "重点检查事项": "key", "重点事项": "key",
    "general": "general", "一般": "general", "一般检查事项": "general", "一般事项": "general",
}


def category_reader(categories: Sequence[ItemCategory] | None) -> Reader:
    """事项类别: key/general (重点/一般), limited to the tenant's pack categories when given."""
    words = dict(_CATEGORY_WORDS)
    allowed = {"key", "general"}
    if categories:
        allowed = {c.code for c in categories}
        for c in categories:
            words[c.code] = words[c.name_zh] = words[c.name_en.lower()] = c.code

    def read(value: object) -> str:
        word = text(value)
        code = words.get(word) or words.get(word.lower())
        if code is None or code not in allowed:
            names = ", ".join(
                f"{c} ({CATEGORY_NAMES_ZH.get(c, c)})" for c in sorted(allowed)
            )
            raise ValueError(msg("unknown category %(word)r; this tenant's rules know: "
                                 "%(names)s", word=word, names=names))
        return code

    return read


def format_category(code: str, lang: str) -> str:
    """The 事项类别 cell for ``code``."""
    return CATEGORY_NAMES_ZH.get(code, code) if lang == "zh" else code


def cap(value: object) -> int:
    """比例上限 as per mille: ``20%`` → 200, ``200‰`` → 200, bare numbers are percent."""
    word = text(value).replace(" ", "")
    try:
        per_mille = word.endswith("‰")
        permille = Decimal(word[:-1]) if per_mille else Decimal(word.rstrip("%％")) * 10
    except InvalidOperation:
        permille = Decimal("NaN")
    if not permille.is_finite():
        raise ValueError(msg("%(word)r is not a ratio; write it as 20%% or 200‰", word=word))
    if permille != permille.to_integral_value():
        raise ValueError(msg("%(word)r is finer than 0.1%%; round it to one decimal place",
                             word=word))
    if not 0 < permille <= 1000:
        raise ValueError(msg("%(word)r is outside 0–100%%", word=word))
    return int(permille)


def format_cap(permille: int | None) -> str:
    """The 比例上限 cell for ``permille``."""
    if permille is None:
        return ""
    return f"{permille // 10}%" if permille % 10 == 0 else f"{permille}‰"


PUBLICATION_NAMES_ZH = {"public": "公开", "directed": "定向通报", "not_public": "不公开"}
_PUBLICATION_WORDS = {
    **{code: code for code in PUBLICATION_NAMES_ZH},
    **{zh: code for code, zh in PUBLICATION_NAMES_ZH.items()},
    "公示": "public", "向社会公开": "public", "not public": "not_public", "不予公开": "not_public",
}


def publication_mode(value: object) -> str:
    """公开方式: public (公开), directed (定向通报) or not_public (不公开)."""
    word = text(value)
    code = _PUBLICATION_WORDS.get(word) or _PUBLICATION_WORDS.get(word.lower())
    if code is None:
        raise ValueError(msg("unknown publication mode %(word)r; use 公开, 定向通报 or 不公开 "
                             "(public, directed, not_public)", word=word))
    return code


def format_publication(code: str, lang: str) -> str:
    """The 公开方式 cell for ``code``."""
    return PUBLICATION_NAMES_ZH.get(code, code) if lang == "zh" else code


def text_list(value: object) -> list[str]:
    """A list of names (实施部门), separated by ; ， 、 etc."""
    return split_list(value)
