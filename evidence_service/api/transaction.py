"""The request owns its transaction.

Every route and page gets its database session from :func:`request_session` (``SessionDep``):
one unit of work per request, read-only for GET, HEAD and OPTIONS (in the database too).
:class:`CommitBeforeResponse` ends it at the moment the response starts, when the response
is already built: it commits if the status is below 400, else rolls back (a refusal changes
nothing; rows given to ``keep_when_refused`` are saved on their own). An exception, also one
raised while building the response, rolls back. A commit that fails turns the response into
an error (409 or 503), so a client never sees a 200 for a write that did not happen.

A streamed body is generated after the commit: whatever it records must be written before.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from weakref import WeakKeyDictionary

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..db import Database, session_writes

log = logging.getLogger(__name__)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SESSION = "evidence.session"  # the request's open session, in the ASGI scope


async def open_request_session(request: Request, write: bool | None = None) -> Session:
    """The request's unit of work, which :class:`CommitBeforeResponse` ends. Routes on the
    scanners' hot path call this themselves: as a dependency it costs more than their query.
    ``write`` is the method's (GET, HEAD and OPTIONS read) unless the route says otherwise."""
    # Opening a session does no I/O; its first query runs in the route's worker thread.
    db: Database = request.app.state.db
    write = request.method not in READ_METHODS if write is None else write
    if write:
        # One writing request at a time in this process, waiting here, on the event loop:
        # writes take one database lock anyway, and a request waiting for it in a worker
        # thread would hold a thread that the request holding the lock may need to finish.
        await _write_gate().acquire()
    session = db.open(write)
    request.scope[_SESSION] = session
    return session


async def request_session(request: Request) -> AsyncIterator[Session]:
    session = await open_request_session(request)
    try:
        yield session
    finally:
        # Only if the middleware did not end it (it always does when it is installed).
        if request.scope.get(_SESSION) is session:
            await _end(request.app.state.db, request.scope, ok=False)


_gates: "WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = WeakKeyDictionary()


def _write_gate() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    if loop not in _gates:
        _gates[loop] = asyncio.Lock()
    return _gates[loop]


async def _end(db: Database, scope: Scope, ok: bool) -> None:
    """End the request's unit of work (once), then let the next writing request in."""
    session: Session | None = scope.pop(_SESSION, None)
    if session is None:
        return
    try:
        if session_writes(session):
            # Not the request thread pool: it may be full of requests waiting for this very
            # transaction's lock, and the commit would wait behind them.
            await asyncio.get_running_loop().run_in_executor(db.ending, db.finish, session, ok)
        else:
            # Closing a read costs less than a thread hop. Its kept rows (a scan's log row)
            # are awaited here, holding no thread, so every scan waiting joins one write.
            pending = db.finish_read(session, ok)
            if pending is not None:
                await asyncio.wrap_future(pending)
    finally:
        if session_writes(session):
            _write_gate().release()


class CommitBeforeResponse:
    """Commits (or rolls back) the request's session before the response leaves."""

    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def send_after_commit(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start":
                try:
                    await self._finish(scope, ok=message["status"] < 400)
                except Exception as exc:
                    replaced = True
                    await _commit_failed(exc)(scope, receive, send)
                    return
            elif replaced:
                return  # the body of the response that could not be committed
            await send(message)

        try:
            await self.app(scope, receive, send_after_commit)
        except BaseException:
            await self._finish(scope, ok=False)
            raise

    async def _finish(self, scope: Scope, ok: bool) -> None:
        await _end(self.db, scope, ok)


def _commit_failed(exc: Exception) -> Response:
    if isinstance(exc, IntegrityError):
        log.warning("commit refused by the database: %s", exc.orig)
        return JSONResponse({"detail": "conflicts with existing data"}, status_code=409)
    if isinstance(exc, OperationalError):
        log.error("commit failed: %s", exc.orig)
        return JSONResponse(
            {"detail": "database busy or unavailable, retry shortly"},
            status_code=503,
            headers={"Retry-After": "1"},
        )
    log.exception("commit failed", exc_info=exc)
    return JSONResponse({"detail": "the change could not be saved"}, status_code=500)
