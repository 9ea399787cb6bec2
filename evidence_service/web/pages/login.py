"""Login, logout, the language switch and the home redirect."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ... import auth
from ...errors import DomainError
from ...i18n import Translator, normalise_lang
from .. import sessions
from ..context import AnonymousFormPage, AnyPage, FormPage, Page
from ..errors import WebRoute, explain

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def safe_next(target: str | None, default: str) -> str:
    """Only a path of this site: never ``//host`` or ``https://…`` (an open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


@router.get("/")
def home(page: AnyPage) -> RedirectResponse:
    return page.redirect(page.home)


def _login_form(
    page: Page, request: Request, status: int = 200, **values: str | list[str]
) -> Response:
    token = request.cookies.get(sessions.LOGIN_CSRF_COOKIE) or sessions.new_token()
    response = page.render(
        "login.html",
        status_code=status,
        login_token=token,
        next=safe_next(request.query_params.get("next") or str(values.get("next", "")), ""),
        username=values.get("username", ""),
        errors=values.get("errors", []),
    )
    sessions.set_cookie(response, request, sessions.LOGIN_CSRF_COOKIE, token, max_age=None)
    return response


@router.get("/login")
def login_form(page: AnyPage, request: Request) -> Response:
    if page.user is not None:
        return page.redirect(page.home)
    return _login_form(page, request)


@router.post("/login")
def login(page: AnonymousFormPage, request: Request) -> Response:
    username, password = page.field("username"), str(page.form.get("password") or "")
    next_url = page.field("next")
    if not sessions.tokens_match(
        request.cookies.get(sessions.LOGIN_CSRF_COOKIE), page.field(sessions.CSRF_FIELD)
    ):
        return _login_form(
            page, request, 403, username=username, next=next_url, errors=[page.t("error.csrf")]
        )
    client = request.client.host if request.client else ""
    try:
        user = auth.authenticate(
            page.db,
            username,
            password,
            client,
            page.settings.login_policy,
            database=request.app.state.db,
            totp_code=page.field("totp_code"),
            totp_required_roles=page.settings.totp_roles,
        )
    except DomainError as exc:
        return _login_form(
            page,
            request,
            exc.status_code,
            username=username,
            next=next_url,
            errors=explain(exc, page.t).messages,
        )
    cookie = sessions.start(page.db, user, page.lang, page.settings.access_token_minutes)
    page.user = user
    response = page.redirect(safe_next(next_url, page.home))
    sessions.set_cookie(
        response,
        request,
        sessions.SESSION_COOKIE,
        cookie,
        max_age=page.settings.access_token_minutes * 60,
    )
    sessions.clear_cookie(response, request, sessions.LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(page: FormPage, request: Request) -> Response:
    assert page.web_session is not None
    sessions.end(page.db, page.web_session)
    client = request.client.host if request.client else ""
    auth.record(page.db, "logout", page.me.username, client, page.me)
    response = page.redirect("/login")
    sessions.clear_cookie(response, request, sessions.SESSION_COOKIE)
    return response


@router.post("/lang")
def switch_language(page: AnonymousFormPage, request: Request) -> Response:
    """Change the language: on the session when logged in, in a cookie before."""
    expected = page.csrf_token or request.cookies.get(sessions.LOGIN_CSRF_COOKIE)
    if not sessions.tokens_match(expected, page.field(sessions.CSRF_FIELD)):
        return page.redirect(safe_next(page.field("next"), "/"))
    lang = normalise_lang(page.field("lang"))
    if page.web_session is not None:
        page.web_session.lang = lang
        page.db.add(page.web_session)
    page.t = Translator(lang)
    response = page.redirect(safe_next(page.field("next"), page.home))
    sessions.set_cookie(response, request, sessions.LANG_COOKIE, lang, max_age=365 * 86400)
    return response
