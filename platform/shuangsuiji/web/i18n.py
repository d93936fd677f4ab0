"""Translations: source strings in English, a zh_CN catalogue as the default language.

English source strings keep the code readable for plugin authors abroad and give one
catalogue to maintain; English itself needs none. Babel canonicalises ``zh_CN`` as
``zh_Hans_CN`` (language, script, territory), and gettext looks for that name (then ``zh``),
so the catalogue lives in ``translations/zh_Hans_CN``. The compiled
``.mo`` is committed; if it is missing or older than the ``.po`` (a fresh checkout edited by
hand), it is compiled at start-up so no build step is needed.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale, dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import Babel, format_datetime, get_locale
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)

LANGUAGES: dict[str, str] = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
SESSION_LANG = "lang"
#: The visitor's language when no session holds one: a plain cookie, so that a public page
#: needs no session (no signed cookie, no CSRF token) and stays cacheable.
LANG_COOKIE = "ssj_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()


#: Parsed once: flask-babel passes a selector's string to ``Locale.parse`` on every request,
#: which (babel 2.x) normalises it against the list of every locale babel knows; a
#: :class:`~babel.Locale` is passed through as it is.
_LOCALES: dict[str, Locale] = {code: Locale.parse(code) for code in LANGUAGES}


def select_locale() -> Locale:
    """The signed-in user's choice (kept in their session), else the visitor's ``ssj_lang``
    cookie, else the default (zh_CN): the public are Chinese readers first, so the browser's
    Accept-Language does not override it."""
    chosen = None
    if request:
        chosen = session.get(SESSION_LANG) or request.cookies.get(LANG_COOKIE)
    return _LOCALES[chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE]


def remember_language(response: Response, code: str) -> Response:
    """Set the visitor's language cookie on ``response`` (``code`` is one of LANGUAGES).

    Unsigned on purpose: it only picks the display language, and a value other than one of
    :data:`LANGUAGES` is ignored.
    """
    from flask import current_app

    response.set_cookie(LANG_COOKIE, code, max_age=LANG_COOKIE_MAX_AGE, httponly=True,
                        samesite="Lax", secure=bool(current_app.config.get(
                            "SESSION_COOKIE_SECURE", False)))
    return response


def compile_catalogues(root: Path = TRANSLATIONS) -> list[Path]:
    """Compile every ``.po`` whose ``.mo`` is missing or stale; return the files written."""
    written: list[Path] = []
    for po_path in root.glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            written.append(mo_path)
        except OSError as exc:  # read-only install: use what is there
            log.warning("could not compile %s: %s", po_path, exc)
    return written


def current_language() -> str:
    """``zh_CN`` or ``en``. (Babel parses zh_CN as zh_Hans_CN, so compare the language.)"""
    locale = get_locale()
    return "zh_CN" if locale is None or locale.language == "zh" else "en"


def chinese_date(value: date | datetime | None) -> str:
    """A date in the current language: 2026年11月25日 in zh_CN, Nov 25, 2026 in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # to the minute, in Asia/Shanghai, no zone shown
        chinese = current_language() == "zh_CN"
        return format_datetime(value, "y年M月d日 HH:mm" if chinese else "MMM d, y, HH:mm")
    return _format_day(value, current_language())


@lru_cache(maxsize=4096)
def _format_day(value: date, language: str) -> str:
    """A calendar date in a language: a pure function of its arguments, so remembered (a task
    list formats the same few dates on every request; Babel takes ~0.1 ms each)."""
    return dates.format_date(value, "long" if language == "zh_CN" else "medium",
                             locale=_LOCALES[language])


def short_datetime(value: datetime | None) -> str:
    """An instant in Asia/Shanghai, to the minute."""
    if value is None:
        return ""
    return format_datetime(value, "yyyy-MM-dd HH:mm")


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    compile_catalogues()
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["date"] = chinese_date
    app.jinja_env.filters["when"] = short_datetime
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_language"] = current_language
