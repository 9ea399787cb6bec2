"""Domain errors: raised by domain code, turned into JSON ``{"detail": ...}`` by one handler.

``detail`` is for the API and stays English (a stable contract, read by programs). A person
reads the error through ``key`` and ``params``: a translation key (``section.name`` in
``i18n/vi.toml`` and ``en.toml``) and the values it names, so the web pages show the refusal in
the reader's language (``web/errors.py``). Errors raised without a key fall back to the
generic sentence of their class there, never to the English detail."""

from typing import Any

from pydantic_core import PydanticCustomError


class DomainError(Exception):
    status_code = 400

    def __init__(
        self, detail: Any, *, key: str | None = None, params: dict[str, Any] | None = None
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.key = key
        self.params = params or {}


class Unauthorized(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class InvalidTransition(Conflict):
    pass


class StaleVersion(Conflict):
    pass


class Invalid(DomainError):
    """Well-formed request whose content breaks a rule about a named field."""

    status_code = 422

    def __init__(
        self,
        field: str,
        message: str,
        value: Any = None,
        where: str = "body",
        *,
        key: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        detail = [{"loc": [where, *field.split(".")], "msg": message, "type": "value_error"}]
        if value is not None:
            detail[0]["input"] = value
        super().__init__(detail, key=key, params=params)


def value_error(message: str, key: str, **params: Any) -> PydanticCustomError:
    """What a pydantic validator raises instead of ``ValueError(message)``: the same 422 and
    English ``msg`` for the API, and in its ``ctx`` the translation ``key`` and ``params``
    the pages show (``web/errors.py``). ``message`` is shown as given (no placeholders)."""
    return PydanticCustomError(
        "value_error", message.replace("{", "{{").replace("}", "}}"), {"key": key, **params}
    )


def error_responses(*errors: type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for route decorators, so the OpenAPI lists what can happen."""
    return {e.status_code: {"description": e.__name__} for e in errors}
