"""Domain errors: raised by domain code, turned into JSON ``{"detail": ...}`` by one handler."""

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: Any) -> None:
        super().__init__(detail)
        self.detail = detail


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

    def __init__(self, field: str, message: str, value: Any = None, where: str = "body") -> None:
        detail = [{"loc": [where, *field.split(".")], "msg": message, "type": "value_error"}]
        if value is not None:
            detail[0]["input"] = value
        super().__init__(detail)


def error_responses(*errors: type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for route decorators, so the OpenAPI lists what can happen."""
    return {e.status_code: {"description": e.__name__} for e in errors}
