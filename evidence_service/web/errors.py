"""Domain errors in plain words, and the route class that shows them as pages (or JSON).

The JSON API answers a refusal with ``{"detail": ...}``; a keeper needs a sentence in their
language with the numbers that matter. :func:`explain` turns a domain error into such
sentences. :class:`WebRoute` catches what a page handler raised: a missing login becomes a
redirect to the login page, any other domain error an error page with those sentences; a
``fetch`` from the pages' JavaScript (``Accept: application/json``) gets JSON instead.
"""

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from ..auth import TooManyAttempts
from ..category_hazards import hazard_name
from ..errors import (
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    StaleVersion,
    Unauthorized,
)
from ..i18n import Translator, normalise_lang
from ..locations import CapacityExceeded, HazardConflict
from ..scanning import DamagedLabel
from . import sessions
from .context import PAGE_HEADERS, CsrfFailed, LoginRequired, Page, environment

log = logging.getLogger(__name__)


@dataclass
class Explained:
    """A refusal in plain words: sentences for the user, and whether a reason may override."""

    messages: list[str]
    overridable: bool = False
    detail: Any = None


def _capacity(t: Translator, detail: dict[str, Any]) -> list[str]:
    out = []
    for v in detail.get("violations", []):
        values = {
            "location": v["location_code"],
            "used": t.number(v["used"]),
            "limit": t.number(v["limit_value"]),
            "requested": t.number(v["requested"]),
            "free": t.number(v["free"]),
        }
        out.append(t(f"refusal.capacity_{v['limit']}", **values))
    return out or [t("refusal.capacity")]


def _hazard(t: Translator, detail: dict[str, Any]) -> list[str]:
    out = []
    for r in detail.get("refusals", []):
        out.append(
            t(
                f"refusal.{r.get('code', 'class_not_allowed')}",
                item=r.get("item", ""),
                location=r.get("location_code", ""),
                hazard=hazard_name(r.get("hazard_class", ""), t.lang),
            )
        )
    conflicts = detail.get("conflicts", [])
    if conflicts:
        out.append(t("refusal.segregation", location=detail.get("location_code", "")))
        key = "message_vi" if t.lang == "vi" else "message"
        out += [c.get(key) or c.get("message", "") for c in conflicts]
    return out or [t("refusal.hazard")]


# A parameter named after a vocabulary section is a stored value read through it
# ("status": "destroyed" → "Đã tiêu hủy").
VOCABULARY = frozenset({"status", "disposition", "category", "unit", "seal", "kind"})


def _shown(t: Translator, name: str, value: Any) -> Any:
    """A parameter as the reader reads it: a vocabulary value in their words, a date or a
    decimal number through their locale's formatter, a label a data file gives in both
    languages (``{"vi": …, "en": …}``) in theirs."""
    if name in VOCABULARY:
        return t.maybe(f"{name}.{value}", str(value))
    if isinstance(value, datetime):
        return t.datetime(value)
    if isinstance(value, date):
        return t.date(value)
    if isinstance(value, float):
        return t.number(value)
    if isinstance(value, dict):
        return value.get(t.lang) or value.get("vi", "")
    return value


def words(t: Translator, key: str, params: dict[str, Any]) -> str:
    """The sentence ``key`` with ``params`` shown as the reader reads them (:func:`_shown`)."""
    return t(key, **{k: _shown(t, k, v) for k, v in params.items()})


def _fallback(t: Translator, english: str, generic: str) -> str:
    """A refusal with no words of its own: the English detail only on English pages."""
    return english if t.lang == "en" and english else t(generic)


def field_errors(t: Translator, detail: list[dict[str, Any]]) -> list[str]:
    out = []
    for error in detail:
        loc = [str(p) for p in error.get("loc", []) if not str(p).isdigit()]
        name = loc[-1] if loc else ""
        label = t.maybe(f"field.{name}", name if t.lang == "en" else "")
        ctx = dict(error.get("ctx") or {})
        key = ctx.pop("key", None)
        if isinstance(key, str) and t.has(key):
            message = words(t, key, ctx)
        else:
            message = t.maybe(
                f"validation.{error.get('type', '')}",
                _fallback(t, str(error.get("msg", "")), "ledger15_error.invalid_value"),
            )
        out.append(t("error.field", field=label, message=message) if label else message)
    return out


class DatabaseConflict(DomainError):
    """The database refused a write the domain checks let through (e.g. a duplicate saved by
    someone else at the same moment)."""

    status_code = 409


class DatabaseBusy(DomainError):
    """The database is locked by another write or unreachable: worth trying again."""

    status_code = 503


class DatabaseRefusedValue(DomainError):
    """A value the database cannot hold (a number too large, text it cannot store)."""

    status_code = 422


DATABASE_ERRORS: dict[type[DomainError], str] = {
    DatabaseConflict: "error.database_conflict",
    DatabaseBusy: "error.database_busy",
    DatabaseRefusedValue: "error.database_value",
}


def explain(exc: DomainError, t: Translator) -> Explained:
    detail = exc.detail
    if exc.key is not None and t.has(exc.key):
        overridable = isinstance(detail, dict) and bool(detail.get("overridable"))
        return Explained([words(t, exc.key, exc.params)], overridable, detail)
    if type(exc) in DATABASE_ERRORS:
        return Explained([t(DATABASE_ERRORS[type(exc)])], detail=detail)
    if isinstance(exc, DamagedLabel):
        kind = detail[0].get("type", "damaged_label") if isinstance(detail, list) else ""
        return Explained([t(f"scan.{kind}" if kind else "scan.damaged_label")], detail=detail)
    if isinstance(exc, CapacityExceeded) and isinstance(detail, dict):
        hint = [t("refusal.override_hint")] if detail.get("overridable") else []
        return Explained(_capacity(t, detail) + hint, bool(detail.get("overridable")), detail)
    if isinstance(exc, HazardConflict) and isinstance(detail, dict):
        return Explained(_hazard(t, detail), bool(detail.get("overridable")), detail)
    if isinstance(exc, TooManyAttempts):
        return Explained([t("login.locked", minutes=exc.retry_after_s // 60 + 1)])
    if isinstance(exc, LoginRequired):
        return Explained([t("login.required")])
    if isinstance(exc, Unauthorized):
        return Explained([t("login.failed")])
    if isinstance(exc, CsrfFailed):
        return Explained([t("error.csrf")])
    if isinstance(exc, Forbidden):
        return Explained([t("error.forbidden")], detail=detail)
    if isinstance(exc, NotFound):
        return Explained([t("error.not_found")], detail=detail)
    if isinstance(exc, StaleVersion):
        return Explained([t("error.stale")], detail=detail)
    if isinstance(exc, InvalidTransition):
        return Explained([t("error.invalid_transition")], detail=detail)
    if isinstance(detail, list):
        return Explained(field_errors(t, detail) or [t("error.generic")], detail=detail)
    if isinstance(detail, dict):
        english = str(detail.get("message", ""))
        return Explained([_fallback(t, english, "error.generic")], detail=detail)
    return Explained([t("error.generic")], detail=detail)


def technical(detail: Any) -> str:
    """The raw detail as one line, shown small under the plain words."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        return "; ".join(str(e.get("msg", e)) if isinstance(e, dict) else str(e) for e in detail)
    if isinstance(detail, dict):
        return str(detail.get("message", ""))
    return ""


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _translator(request: Request) -> Translator:
    page: Page | None = getattr(request.state, "page", None)
    if page is not None:
        return page.t
    return Translator(normalise_lang(request.cookies.get(sessions.LANG_COOKIE)))


def error_response(request: Request, exc: DomainError) -> Response:
    t = _translator(request)
    explained = explain(exc, t)
    headers = dict(PAGE_HEADERS)
    if isinstance(exc, DatabaseBusy):
        headers["Retry-After"] = "1"
    if wants_json(request):
        return JSONResponse(
            {
                "detail": exc.detail,
                "messages": explained.messages,
                "overridable": explained.overridable,
            },
            status_code=exc.status_code,
            headers={"Retry-After": "1"} if isinstance(exc, DatabaseBusy) else None,
        )
    page: Page | None = getattr(request.state, "page", None)
    html = (
        environment()
        .get_template("error.html")
        .render(
            page=page,
            t=t,
            user=page.user if page else None,
            csrf_token=page.csrf_token if page else "",
            messages=explained.messages,
            technical=technical(explained.detail),
            status_code=exc.status_code,
        )
    )
    return HTMLResponse(html, status_code=exc.status_code, headers=headers)


def database_error(exc: Exception) -> DomainError:
    """A database exception as the domain error a page shows (the details go to the log; the
    user sees the same short words as the JSON API's ``detail``)."""
    if isinstance(exc, IntegrityError):
        log.warning("integrity error on a page: %s", exc.orig)
        return DatabaseConflict("conflicts with existing data")
    if isinstance(exc, OperationalError):
        log.error("database error on a page: %s", exc.orig)
        return DatabaseBusy("database busy or unavailable, retry shortly")
    log.info("a page refused input the database cannot store: %s", exc)
    return DatabaseRefusedValue("a value in the request is out of range or not valid text")


def _roll_back(request: Request) -> None:
    """Leave the page's session usable for the error page (a failed flush poisons it)."""
    page: Page | None = getattr(request.state, "page", None)
    if page is not None:
        try:
            page.db.rollback()
        except Exception:  # the connection itself may be gone; the page needs no more queries
            log.debug("rollback after a database error failed", exc_info=True)


class WebRoute(APIRoute):
    """An ``APIRoute`` that answers errors the way a browser page needs."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as exc:
                if wants_json(request) or request.method != "GET":
                    return error_response(request, exc)
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
            except DomainError as exc:
                return error_response(request, exc)
            except RequestValidationError as exc:
                errors = [dict(e) for e in exc.errors()]
                return error_response(request, _Unprocessable(errors))
            except (
                IntegrityError,
                OperationalError,
                DataError,
                OverflowError,
                UnicodeError,
            ) as exc:
                # The JSON API answers these in app.py; a page answers in plain words.
                _roll_back(request)
                return error_response(request, database_error(exc))

        return route


class _Unprocessable(DomainError):
    status_code = 422
