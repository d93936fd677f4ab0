"""A Core ``SELECT`` compiled once per database dialect and sent on a pooled driver connection.

For the few statements every request sends before anything knows whether it will need the
ORM (the tenant and its generation, the caller of a token): no ORM session, no SQLAlchemy
``Connection`` or transaction, no compilation per call. A response served from the cache
needs nothing else from the database, and setting those up cost more than the statements.

Each call checks a connection out of the engine's pool and returns it at once; returning it
rolls back whatever the driver began (the PostgreSQL and MySQL drivers begin a transaction
with the first statement; SQLite runs in the driver's autocommit mode here, SQLAlchemy
emitting ``BEGIN`` for its own transactions). So a call sees the latest committed data and
holds no lock or snapshot afterwards. Statements sent this way are not seen by SQLAlchemy's
engine events (nor by the audit guard, which only looks at writes: these are reads).

Bound values and results are converted as Core would convert them (the types' bind and
result processors: on SQLite, dates and booleans come back as Python values).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Select
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    """The statement as one dialect's driver takes it."""

    sql: str
    positions: tuple[str, ...] | None  # positional paramstyles: the order of the values
    fixed: dict[str, Any]  # bound values given in the statement itself (a LIMIT), processed
    binds: dict[str, Processor]  # bind processors of the values given per call
    results: tuple[Processor | None, ...]  # per result column

    def parameters(self, values: dict[str, Any]) -> Any:
        merged = dict(self.fixed)
        for name, value in values.items():
            process = self.binds.get(name)
            merged[name] = value if process is None or value is None else process(value)
        if self.positions is None:
            return merged
        return [merged[name] for name in self.positions]

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(v if p is None or v is None else p(v)
                     for v, p in zip(raw, self.results, strict=True))


class PreparedSelect:
    """``statement``, whose ``bindparam``s without a value are given per call by name."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        # Per dialect object (one per engine), forgotten with it.
        self._compiled: weakref.WeakKeyDictionary[Dialect, _Compiled] = (
            weakref.WeakKeyDictionary())

    def _for(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect)
        if found is None:
            found = self._compiled[dialect] = self._compile(dialect)
        return found

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        if compiled.post_compile_params or compiled.literal_execute_params:
            raise ValueError("a prepared statement cannot expand parameters at execution "
                             "(IN lists, literal LIMITs)")
        per_call = {name for name, bind in compiled.binds.items()
                    if bind.value is None and bind.callable is None}
        processors: dict[str, Processor] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[name] = process
        fixed = {name: value if name not in processors or value is None
                 else processors[name](value)
                 for name, value in compiled.construct_params(
                     dict.fromkeys(per_call)).items()
                 if name not in per_call}
        results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None)
                        for c in self.statement.selected_columns)
        positions = tuple(compiled.positiontup) if compiled.positiontup else None
        return _Compiled(compiled.string, positions, fixed,
                         {n: p for n, p in processors.items() if n in per_call}, results)

    def _execute(self, engine: Engine, values: dict[str, Any], many: bool) -> list[Any]:
        compiled = self._for(engine.dialect)
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(compiled.sql, compiled.parameters(values))
                raw = cursor.fetchall() if many else [cursor.fetchone()]
            finally:
                cursor.close()
        finally:
            connection.close()  # back to the pool, which rolls back what the driver began
        return [compiled.row(r) for r in raw if r is not None]

    def one_or_none(self, engine: Engine, **values: Any) -> tuple[Any, ...] | None:
        """The first row, or None."""
        found = self._execute(engine, values, many=False)
        return found[0] if found else None

    def all(self, engine: Engine, **values: Any) -> list[tuple[Any, ...]]:
        """Every row."""
        return self._execute(engine, values, many=True)
