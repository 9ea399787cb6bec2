"""What every page handler gets: the request, the database session, the user, the language.

Route handlers take one of three ``Annotated`` dependencies:

* ``AnyPage``  – the login page and friends: the user may be anonymous;
* ``UserPage`` – a page that needs a logged-in user (else: redirect to the login page);
* ``FormPage`` – a POST by a logged-in user whose CSRF token was checked; ``page.form``
  holds the submitted fields.

``page.render("item.html", item=...)`` renders a template with ``t`` (translations), ``page``,
``user``, ``csrf_token`` and the navigation already in its context.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session
from starlette.datastructures import FormData

from ..api.deps import SessionDep, SettingsDep
from ..auth import can
from ..config import Settings
from ..errors import DomainError
from ..i18n import Translator, normalise_lang
from ..models import Role, User, WebSession
from ..recording import acting
from . import sessions

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

# Security headers of every page: scripts and styles only from this service (no inline
# code), the camera for the scan page, nothing framed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(self), microphone=()",
}


@dataclass(frozen=True)
class NavEntry:
    """A link of the top navigation, shown to users with ``permission``."""

    path: str
    label_key: str
    permission: str = "read"


# Add a page to the navigation by appending here (and its strings to both i18n files).
NAV: list[NavEntry] = [
    NavEntry("/scan", "nav.scan", "move"),
    NavEntry("/intake", "nav.intake", "intake"),
    NavEntry("/handovers", "handover_page.nav", "intake"),
    NavEntry("/locations", "nav.locations"),
    NavEntry("/dashboard", "dashboard.nav", "audit"),
    NavEntry("/destruction", "destruction.nav"),
    NavEntry("/environment", "environment_page.nav", "audit"),
    NavEntry("/stocktakes", "stocktake.nav", "stocktake"),
    NavEntry("/approvals", "duties_exits.nav", "release"),
    NavEntry("/account", "duties_account_page.nav"),
    NavEntry("/imports", "ledgers_import.nav", "intake"),
    NavEntry("/downloads", "ledgers_download.nav"),
]
# Where "/" and a successful login lead, by role (first match with the permission).
HOME_BY_ROLE: dict[Role, str] = {
    Role.keeper: "/scan",
    Role.manager: "/dashboard",
    Role.admin: "/locations",
    Role.council: "/destruction",
    Role.auditor: "/dashboard",
}


class LoginRequired(DomainError):
    status_code = 401


class CsrfFailed(DomainError):
    status_code = 403


@dataclass
class Page:
    request: Request
    db: Session
    settings: Settings
    t: Translator
    user: User | None = None
    web_session: WebSession | None = None
    form: FormData = field(default_factory=FormData)

    @property
    def lang(self) -> str:
        return self.t.lang

    @property
    def csrf_token(self) -> str:
        return self.web_session.csrf_token if self.web_session else ""

    @property
    def me(self) -> User:
        """The logged-in user (only in ``UserPage``/``FormPage`` handlers)."""
        if self.user is None:
            raise LoginRequired("log in first")
        return self.user

    def can(self, permission: str) -> bool:
        return can(self.user, permission)

    @property
    def home(self) -> str:
        return HOME_BY_ROLE[Role(self.user.role)] if self.user else "/login"

    def nav(self) -> list[NavEntry]:
        return [entry for entry in NAV if self.can(entry.permission)]

    def field(self, name: str, default: str = "") -> str:
        value = self.form.get(name)
        return value.strip() if isinstance(value, str) else default

    def fields(self, name: str) -> list[str]:
        return [v.strip() if isinstance(v, str) else "" for v in self.form.getlist(name)]

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        html = (
            environment()
            .get_template(template)
            .render(page=self, t=self.t, user=self.user, csrf_token=self.csrf_token, **values)
        )
        return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)

    def redirect(self, url: str) -> RedirectResponse:
        return RedirectResponse(url, status_code=303)


_environment: Environment | None = None


def environment() -> Environment:
    global _environment
    if _environment is None:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.filters["urlquote"] = lambda value: quote(str(value), safe="")
        _environment = env
    return _environment


def get_page(request: Request, db: SessionDep, settings: SettingsDep) -> Page:
    found = sessions.lookup(db, request.cookies.get(sessions.SESSION_COOKIE))
    if found is None:
        lang = normalise_lang(request.cookies.get(sessions.LANG_COOKIE))
        page = Page(request, db, settings, Translator(lang))
    else:
        web_session, user = found
        acting(db, user.id)  # the record events of this page's work name who acted
        page = Page(
            request, db, settings, Translator(normalise_lang(web_session.lang)), user, web_session
        )
    request.state.page = page  # for the error pages
    return page


AnyPage = Annotated[Page, Depends(get_page)]


def get_user_page(page: AnyPage) -> Page:
    if page.user is None:
        raise LoginRequired("log in first")
    return page


UserPage = Annotated[Page, Depends(get_user_page)]


async def get_form_page(request: Request, page: UserPage) -> Page:
    page.form = await request.form()
    given = request.headers.get(sessions.CSRF_HEADER) or page.form.get(sessions.CSRF_FIELD)
    if not sessions.tokens_match(page.csrf_token, given if isinstance(given, str) else None):
        raise CsrfFailed("the form is out of date or did not come from this site; reload it")
    return page


FormPage = Annotated[Page, Depends(get_form_page)]


async def get_anonymous_form_page(request: Request, page: AnyPage) -> Page:
    """A POST that may come before login (login, language): it checks its own token."""
    page.form = await request.form()
    return page


AnonymousFormPage = Annotated[Page, Depends(get_anonymous_form_page)]
