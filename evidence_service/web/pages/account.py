"""``/account``: a user changes their own password. Every session and token they had ends
(this one too), so the page leads back to the login."""

from fastapi import APIRouter
from fastapi.responses import Response

from ... import auth
from ...errors import DomainError
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain, technical
from ..forms import validate

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _render(page: Page, error: DomainError | None = None) -> Response:
    explained = explain(error, page.t) if error else None
    return page.render(
        "account.html",
        status_code=error.status_code if error else 200,
        errors=explained.messages if explained else [],
        technical=technical(explained.detail) if explained else "",
    )


@router.get("/account")
def account_page(page: UserPage) -> Response:
    return _render(page)


@router.post("/account/password")
def change_password(page: FormPage) -> Response:
    client = page.request.client.host if page.request.client else ""
    try:
        data = validate(
            auth.PasswordChange,
            {
                "current_password": str(page.form.get("current_password") or ""),
                "new_password": str(page.form.get("new_password") or ""),
            },
        )
        auth.change_own_password(page.db, data, page.me, client)
    except DomainError as exc:
        page.db.rollback()
        return _render(page, exc)
    return page.redirect("/login?changed=1")
