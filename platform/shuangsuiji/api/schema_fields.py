"""What the API's schemas share: the field module, the id range, instants with their zone, and
the length of a code.
"""

from datetime import UTC
from typing import Any

from marshmallow import fields, validate

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


_CODE = validate.Length(min=1, max=64)
