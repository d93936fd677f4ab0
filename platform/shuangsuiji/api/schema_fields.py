"""What the API's schemas share: the field module, the id range, instants with their zone,
messages in the response's language, and the length of a code.
"""

from datetime import UTC
from typing import Any

from marshmallow import fields, validate

from shuangsuiji.messages import Message
from shuangsuiji.web.localise import api_language, localise

F = fields



#: An id query argument: an id column is INTEGER (32-bit on PostgreSQL and MariaDB), so a
#: larger number is refused (422) rather than overflowing in the driver (a 500).
ID_RANGE = validate.Range(min=1, max=2**31 - 1)

class UtcDateTime(fields.DateTime):
    """An instant as RFC 3339 with its offset. Instants are stored in UTC, but SQLite hands
    them back without a zone; a bare ``2026-04-01T08:00:00`` would not be a valid
    ``date-time`` and a client could read it as local (Beijing) time."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class Localised(fields.String):
    """A message for people (:mod:`shuangsuiji.messages`: a warning, a note) in the
    response's language, as the API's errors are (``Accept-Language``: Chinese if preferred,
    else English); plain text as it is. The response cache keys on Accept-Language and
    names it in ``Vary``."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, Message):
            value = localise(value, api_language())
        return super()._serialize(value, attr, obj, **kwargs)


_CODE = validate.Length(min=1, max=64)
