"""Messages for people, written in English and translated where they are shown.

Services, packs and the file readers are not web code, yet what they say ends up on Chinese
pages. They say it with :func:`msg`::

    raise NotFound(msg("no user %(username)r", username=name),
                   hint=msg("`ssj users list` shows the accounts"))

A :class:`Message` *is* its English text (a ``str``), so the CLI, logs and tests read it as
before; it also keeps its template and parameters, so the web layer and the API can
translate it late, in the language of the request: ``message.render(gettext)``. Nothing
here imports Flask or Babel; the kernel may use this module.

Conventions, the same as flask-babel's ``_()``:

- placeholders are named, ``%(name)s``, ``%(count)d`` or ``%(code)r`` (the value's repr, to
  show stray spaces); a template without parameters is never formatted, so a literal ``%``
  is written as it is there, and as ``%%`` only in a template with parameters;
- ``msg`` is the extraction keyword (``babel.cfg``, ``pybabel extract -k msg``), so its
  first argument is a string literal, never an f-string or a variable;
- a parameter that is itself a :class:`Message` is translated too; a list or tuple is shown
  as its items joined by ", " (each translated); anything else is data (codes, names,
  numbers, ISO dates) and is shown as it is;
- plurals: choose between two templates in code (``"1 problem found"``,
  ``"%(count)d problems found"``); Chinese needs one form of each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

#: ``gettext(template) -> translated template`` (flask-babel's, or a catalogue's).
Gettext = Callable[[str], str]

T = TypeVar("T")


def _english(template: str) -> str:
    return template


class Message(str):
    """An English message that remembers its template and parameters.

    Behaves as the English ``str`` everywhere (comparison, ``in``, JSON, ``%s``); anything
    that builds a new string from it (concatenation, ``strip()``) gets plain English.
    """

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, params: Mapping[str, Any] | None = None) -> Message:
        values = dict(params or {})
        self = super().__new__(cls, _fill(template, values, _english))
        self.template = template
        self.params = values
        return self

    def __getnewargs__(self) -> tuple[str, dict[str, Any]]:  # type: ignore[override]
        # pickle and copy rebuild a Message, not the bare English text
        return (self.template, self.params)

    def render(self, gettext: Gettext) -> str:
        """The message in the language of ``gettext``: its template translated, then filled
        with the parameters (messages among them translated the same way).

        A translation whose placeholders do not fit the parameters gives the English rather
        than an error on the page that was meant to explain one.
        """
        try:
            return _fill(gettext(self.template), self.params, gettext)
        except (KeyError, ValueError, TypeError):
            return str(self)


def msg(template: str, /, **params: Any) -> Message:
    """A translatable message: ``template`` (English, ``%(name)s`` placeholders) and its
    parameters. The extraction keyword: the first argument must be a string literal."""
    return Message(template, params)


def either(items: Sequence[Any]) -> str:
    """``a or b``, ``a, b or c``: the alternatives as a message (each item translated if it is
    one). A single item is itself."""
    if len(items) == 1:
        return items[0]  # type: ignore[no-any-return]
    return msg("%(items)s or %(last)s", items=tuple(items[:-1]), last=items[-1])


def translated(value: T, gettext: Gettext) -> T | str:
    """``value`` translated if it is a :class:`Message`, else ``value`` as it is."""
    if isinstance(value, Message):
        return value.render(gettext)
    return value


def reason(exc: BaseException) -> str:
    """What ``exc`` says: its :class:`Message` when raised with one (``ValueError(msg(...))``),
    else ``str(exc)``. ``str(exc)`` alone would turn a message into plain English."""
    args = exc.args
    if len(args) == 1 and isinstance(args[0], Message):
        return args[0]
    return str(exc)


def _show(value: Any, gettext: Gettext) -> Any:
    if isinstance(value, Message):
        return value.render(gettext)
    if isinstance(value, list | tuple):
        return ", ".join(str(_show(v, gettext)) for v in value)
    return value


def _fill(template: str, params: Mapping[str, Any], gettext: Gettext) -> str:
    if not params:
        return template
    return template % {name: _show(value, gettext) for name, value in params.items()}
