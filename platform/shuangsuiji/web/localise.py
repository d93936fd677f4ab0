"""Service messages in the language of the request.

Services raise and return :class:`~shuangsuiji.messages.Message` (English text that keeps
its template); here they are translated for a page (the session's language, flask-babel's
locale) or for an API response (the language the client asks for, English by default).
Templates use the ``localise`` filter: ``{{ err.message|localise }}``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_babel import force_locale, gettext

from shuangsuiji.messages import Message, reason

#: API responses: what a client may ask for with Accept-Language, as the catalogue's names.
API_LANGUAGES: dict[str, str] = {"en": "en", "zh": "zh_CN"}
API_DEFAULT_LANGUAGE = "en"


def _gettext(template: str) -> str:
    # flask-babel formats only when given variables: the template comes back as translated
    return gettext(template)


def localise(value: Any, language: str | None = None) -> Any:
    """``value`` for people: a message translated into ``language`` (default: the page's),
    an exception as its translated reason, anything else (plain text, None) as it is."""
    if isinstance(value, BaseException):
        value = reason(value)
    if not isinstance(value, Message):
        return value
    if language is None:
        return value.render(_gettext)
    with force_locale(language):
        return value.render(_gettext)


def api_language() -> str:
    """The language of an API response: Chinese if the client's ``Accept-Language`` prefers
    it to English, else English (an API is read by programs and their logs first, and its
    messages were English before they could be translated)."""
    best = request.accept_languages.best_match(list(API_LANGUAGES), default=API_DEFAULT_LANGUAGE)
    return API_LANGUAGES[best]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localise"] = localise
