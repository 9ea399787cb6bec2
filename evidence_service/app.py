"""The FastAPI application."""

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import checkpoints, keys
from .api import (
    agencies,
    approvals,
    audit,
    auth,
    cases,
    custody_checks,
    destruction,
    environment,
    exports,
    handling,
    handovers,
    imports,
    item_documents,
    item_photos,
    items,
    labels,
    ledger_closings,
    locations,
    reports,
    scanning,
    stocktakes,
    units,
)
from .api.limits import MULTIPART_OVERHEAD, BodyLimit, PathLimit, shorten_errors
from .api.transaction import CommitBeforeResponse
from .auth import TooManyAttempts
from .cases.attachments import MAX_BYTES as ATTACHMENT_MAX_BYTES
from .config import Settings, get_settings
from .db import Database
from .errors import DomainError, Unauthorized
from .web import install as install_web
from .web.sessions import SESSION_COOKIE

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_secret()
    # Outside --demo the service refuses to start without its signing key.
    keys.setup(settings.signing_key_file, settings.public_keys_file, required=True)
    checkpoints.configure(settings.checkpoint_every, settings.anchor_dir)
    app = FastAPI(
        title="Evidence storage and destruction tracking service",
        version="0.1.0",
        description="Kho vật chứng: intake, labels, storage, custody and destruction "
        "of seized items.",
    )
    app.state.settings = settings
    app.state.db = db or Database.from_url(settings.database_url, settings.sqlite_busy_timeout_ms)

    # Routes are matched in order, router by router: the scanners' hot paths come first.
    _add_health(app)
    for module in (
        items,
        scanning,
        auth,
        agencies,
        locations,
        cases,
        handling,
        approvals,
        reports,
        labels,
        audit,
        stocktakes,
        destruction,
        environment,
        imports,
        exports,
        item_photos,
        units,
        handovers,
        item_documents,
        ledger_closings,
        custody_checks,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    install_web(app)  # the pages for browsers (/login, /scan, ...) and /static
    _add_error_handlers(app)
    # Innermost: the request's transaction ends as its response starts (see transaction.py).
    app.add_middleware(CommitBeforeResponse, db=app.state.db)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match"],
        )

    app.add_middleware(SecurityHeaders)
    # Outermost: a body too large is refused before routing, authentication or parsing.
    # Each upload's limit, for the API path and the web page's alike.
    photo = settings.destruction_photo_max_bytes + MULTIPART_OVERHEAD
    ledger = settings.import_max_bytes + MULTIPART_OVERHEAD
    case_file = ATTACHMENT_MAX_BYTES + MULTIPART_OVERHEAD
    app.add_middleware(
        BodyLimit,
        default_max_bytes=settings.max_body_bytes,
        path_limits=(
            PathLimit(re.compile(API_PREFIX + r"/destruction-batches/\d+/photos"), photo),
            PathLimit(re.compile(r"/destruction/\d+/photos"), photo),
            PathLimit(re.compile(f"({API_PREFIX})?/imports"), ledger),
            PathLimit(re.compile(f"({API_PREFIX})?/cases/\\d+/attachments"), case_file),
        ),
        session_cookie=SESSION_COOKIE,
    )
    return app


class SecurityHeaders:
    """Adds security headers to every response. Plain ASGI: Starlette's ``@middleware("http")``
    costs more per request than a whole item lookup."""

    HEADERS = (
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        headers = None
        if isinstance(exc, Unauthorized):
            headers = {"WWW-Authenticate": "Bearer"}
        elif isinstance(exc, TooManyAttempts):
            headers = {"Retry-After": str(exc.retry_after_s)}
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Each error as FastAPI gives it, but the input it quotes is cut short: a 422 never
        # echoes a huge body back.
        return JSONResponse({"detail": shorten_errors(exc.errors())}, status_code=422)

    @app.exception_handler(IntegrityError)
    def integrity_error(_request: Request, exc: IntegrityError) -> JSONResponse:
        # The database caught what the domain checks missed (e.g. a concurrent duplicate).
        log.warning("integrity error: %s", exc.orig)
        return JSONResponse({"detail": "conflicts with existing data"}, status_code=409)

    @app.exception_handler(OverflowError)
    @app.exception_handler(UnicodeError)
    @app.exception_handler(DataError)
    def out_of_range(_request: Request, exc: Exception) -> JSONResponse:
        # Input the database cannot hold: ids beyond 64 bits, lone UTF-16 surrogates...
        log.info("refused input the database cannot store: %s", exc)
        return JSONResponse(
            {"detail": "a value in the request is out of range or not valid text"},
            status_code=422,
        )

    @app.exception_handler(OperationalError)
    def operational_error(_request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database error: %s", exc.orig)
        return JSONResponse(
            {"detail": "database busy or unavailable, retry shortly"},
            status_code=503,
            headers={"Retry-After": "1"},
        )


def _add_health(app: FastAPI) -> None:
    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    def readyz() -> JSONResponse:
        db: Database = app.state.db
        try:
            db.ping()
            current, head = db.migration_status()
        except Exception as exc:  # readiness reports any failure instead of raising
            # The cause goes to the log only: it names hosts, ports and databases.
            log.error("not ready: %s", exc)
            return JSONResponse({"status": "not ready"}, status_code=503)
        if current != head:
            log.error("not ready: database at revision %s, code at %s", current, head)
            return JSONResponse({"status": "not ready"}, status_code=503)
        return JSONResponse({"status": "ready"})
