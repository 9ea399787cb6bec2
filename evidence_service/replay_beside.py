"""The replay in a process of its own, beside the walk of the chains: the two passes of a
long check share nothing but the snapshot, so on two cores they take the time of the
longer one, not of both (the walk is about 60 % of a check, the replay 40 %).

PostgreSQL: the child reads the very snapshot of the check (``pg_export_snapshot``). SQLite:
the child's read transaction begins at once; the tables it replays are checked against the
events of that same snapshot, so a write in between cannot make it disagree with itself.
A short chain, or an in-memory database, is replayed in this process (a process costs more
than it saves).
"""

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from .replay import Difference, replay_all

PARALLEL_FROM = 100_000  # events from which the replay gets a process of its own


def _child(url: str, snapshot: str | None, out: Connection) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with Session(engine) as session:
            if snapshot is not None:
                connection = session.connection()
                connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            out.send(("ok", replay_all(session)))
    except Exception as exc:  # the parent reports it as a failed check
        out.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        engine.dispose()


def start(session: Session) -> Callable[[bool], Difference | None]:
    """Start the replay; the function returned waits for its first difference (or, given
    False, stops it: the walk already failed)."""
    bind = session.get_bind()
    url = bind.engine.url
    events = session.execute(text("SELECT max(id) FROM custody_events")).scalar() or 0
    memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    if events < PARALLEL_FROM or memory:
        return lambda wanted: replay_all(session) if wanted else None
    snapshot = None
    if bind.dialect.name == "postgresql":
        snapshot = session.execute(text("SELECT pg_export_snapshot()")).scalar_one()
    context = multiprocessing.get_context("fork")  # nothing to import again
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(url.render_as_string(hide_password=False), snapshot, send)
    )
    child.start()
    send.close()

    def wait(wanted: bool) -> Difference | None:
        if not wanted:
            child.terminate()
            child.join()
            return None
        try:
            kind, found = receive.recv()
        except EOFError:
            kind, found = "error", f"the replay process ended with code {child.exitcode}"
        finally:
            child.join()
        if kind == "error":
            return Difference("custody_events", "replay", f"the replay could not run: {found}")
        answer: Any = found
        return answer  # type: ignore[no-any-return]

    return wait
