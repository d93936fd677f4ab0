"""Column types whose MySQL/MariaDB form is chosen when a dialect first uses them.

``sqlalchemy.dialects.mysql`` imports every MySQL driver module it ships (PyMySQL, mysqlclient,
aiomysql and with it asyncio): about a tenth of a quick command's start-up. ``with_variant``
needs the MySQL type object when the model is defined; these decorators import it only when a
MySQL or MariaDB engine compiles or binds the column, so ``ssj tenants list`` on SQLite or
PostgreSQL never loads it (bench/cli_start.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import DateTime, LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

MYSQL_FAMILY = ("mysql", "mariadb")


class Instant(TypeDecorator[Any]):
    """An instant with its zone; ``DATETIME(6)`` on MySQL/MariaDB, whose DATETIME keeps whole
    seconds unless told otherwise (the audit chain hashes instants to the microsecond)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in MYSQL_FAMILY:
            from sqlalchemy.dialects.mysql import DATETIME

            return dialect.type_descriptor(DATETIME(fsp=6))
        return super().load_dialect_impl(dialect)


class LongBlob(TypeDecorator[Any]):
    """Bytes of any size: ``LONGBLOB`` on MySQL/MariaDB (a BLOB stops at 64 KiB)."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in MYSQL_FAMILY:
            from sqlalchemy.dialects.mysql import LONGBLOB

            return dialect.type_descriptor(LONGBLOB())
        return super().load_dialect_impl(dialect)
