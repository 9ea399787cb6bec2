"""Many rows in one executemany, without SQLAlchemy building each row's parameters.

SQLAlchemy's executemany makes a parameter dictionary per row and runs the bind
processors through it: for tens of thousands of rows that costs as much as the database.
Here the INSERT is compiled once per table and column list, each column's own bind
processor (the one SQLAlchemy would apply) runs in one pass, and the driver gets the rows.
"""

from collections.abc import Callable, Sequence
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table, insert

Processor = Callable[[Any], Any] | None


def insert_rows(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    encoded: frozenset[str] = frozenset(),
) -> None:
    """INSERT ``rows`` (dictionaries with the same keys) into ``table`` in one executemany.
    ``encoded``: columns whose values are already what the driver takes (JSON text the
    caller encoded anyway), so their bind processor is skipped."""
    if not rows:
        return
    names = tuple(rows[0])
    sql, order, processors = _compiled(connection.dialect, table, names)
    pairs = [
        (n, _repeating(p) if p and n not in encoded else None)
        for n, p in zip(order, processors, strict=True)
    ]
    # Column by column: each column's values in one C-level pass (``itemgetter``), its bind
    # processor mapped over them, and the rows zipped back together: no Python per value.
    columns = [
        list(map(p, map(itemgetter(n), rows))) if p else list(map(itemgetter(n), rows))
        for n, p in pairs
    ]
    params: list[Any]
    if connection.dialect.positional:
        params = list(zip(*columns, strict=True))
    else:
        params = [dict(zip(order, values, strict=True)) for values in zip(*columns, strict=True)]
    connection.exec_driver_sql(sql, params)


def _repeating(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``process``, answering again without work when a row holds the very object the row
    before held (the batch's one timestamp, a shared list): the rows keep those objects
    alive, so the same identity is the same value."""
    last: list[Any] = [object(), None]

    def run(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, process(value)
        return last[1]

    return run


@cache
def _compiled(
    dialect: Dialect, table: Table, names: tuple[str, ...]
) -> tuple[str, tuple[str, ...], tuple[Processor, ...]]:
    # Python-side defaults are applied by SQLAlchemy's own INSERT only: the rows give them.
    missing = [c.name for c in table.c if c.default is not None and c.name not in names]
    if missing:
        raise ValueError(f"insert_rows into {table.name}: rows lack {', '.join(missing)}")
    compiled = insert(table).compile(dialect=dialect, column_keys=list(names))
    order = tuple(compiled.positiontup or ()) if dialect.positional else names
    processors = tuple(
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order
    )
    return str(compiled), order, processors
