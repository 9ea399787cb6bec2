"""Reading submitted forms into the domain's request models, with errors in plain words."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from ..api.labels import label_document
from ..errors import DomainError
from ..i18n import NumberError, parse_number
from ..i18n.formatting import LOCAL_TIME_ZONE
from ..labels import PrintJob

M = TypeVar("M", bound=BaseModel)


class FormInvalid(DomainError):
    """A form field that could not be read; ``detail`` is a list like pydantic's errors."""

    status_code = 422


def validate(model: type[M], data: dict[str, Any], prefix: str = "") -> M:
    """``model(**data)``, its validation errors as :class:`FormInvalid` (``prefix`` names the
    row of a multi-row form, e.g. ``items.2``)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = []
        for e in exc.errors(include_url=False):
            loc = [p for p in prefix.split(".") if p] + [str(p) for p in e["loc"]]
            error: dict[str, Any] = {"loc": loc, "msg": e["msg"], "type": e["type"]}
            # A refusal's translation key and its values (errors.value_error) go with it.
            ctx = e.get("ctx") or {}
            if "key" in ctx:
                error["ctx"] = {k: v for k, v in ctx.items() if isinstance(v, str | int | float)}
            errors.append(error)
        raise FormInvalid(errors) from None


def from_form(model: type[M], field: Callable[[str], str], **parsed: Any) -> M:
    """``model`` read from a form: each of its fields from the input of the same name (an
    empty one as None where None is the default), then ``parsed``: the values that need a
    reader of their own (numbers, weights, dates)."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        value = field(name)
        data[name] = None if value == "" and info.default is None else value
    return validate(model, data | parsed)


def number(value: str, field: str) -> float | None:
    try:
        return parse_number(value)
    except NumberError:
        raise FormInvalid(
            [{"loc": [field], "msg": f"not a number: {value}", "type": "number"}]
        ) from None


def grams(value: str, unit: str, field: str) -> float | None:
    """A weight typed in ``g`` or ``kg``, in grams."""
    amount = number(value, field)
    if amount is None:
        return None
    return round(amount * 1000, 6) if unit == "kg" else amount


def iso_date(value: str, field: str) -> date | None:
    """``<input type=date>`` sends ``yyyy-mm-dd``; a typed ``dd/mm/yyyy`` is read too."""
    if not value:
        return None
    try:
        if "/" in value:
            day, month, year = (int(p) for p in value.split("/"))
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        raise FormInvalid([{"loc": [field], "msg": value, "type": "date"}]) from None


def local_moment(value: str, field: str) -> datetime | None:
    """``<input type=datetime-local>`` sends ``yyyy-mm-ddThh:mm``, the time in Viet Nam (a
    typed ``dd/mm/yyyy hh:mm`` is read too): as an aware moment."""
    if not value:
        return None
    try:
        if "/" in value:
            moment = datetime.strptime(value, "%d/%m/%Y %H:%M")
        else:
            moment = datetime.fromisoformat(value)
    except ValueError:
        raise FormInvalid([{"loc": [field], "msg": value, "type": "datetime"}]) from None
    return moment.replace(tzinfo=LOCAL_TIME_ZONE) if moment.tzinfo is None else moment


def download(job: PrintJob) -> Response:
    """The printed document as a download (its custody events commit as it starts)."""
    disposition = f'attachment; filename="{job.filename}"'
    return label_document(job, {"Content-Disposition": disposition, "Cache-Control": "no-store"})
