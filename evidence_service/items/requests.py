"""What a change of one stored item takes (each carries the version seen and a reason), and
what the overdue check-outs report shows."""

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from ..errors import Invalid, value_error
from ..legal.holidays import local_today
from ..models import Disposition, SealState
from ..people import clean_name
from .lifecycle import Versioned

# No record of this service's kind goes back further (the THADS system's present law is of
# 2008; imported ledgers start well after this): earlier dates are typing mistakes.
EARLIEST_DATE = date(2000, 1, 1)
CLOCK_SKEW = timedelta(minutes=5)


def check_document_number(value: str) -> str:
    """A document's number as the law writes them ("123/QĐ-THA", "NK24/371C"): with a digit
    other than 0, not a placeholder like ``0``, ``-`` or ``bịa``."""
    value = " ".join(value.split())
    if not re.search(r"[1-9]", value):
        raise value_error(
            "a document number with its digits, e.g. 123/QĐ-THA",
            "ledger15_validation.document_number",
        )
    return value


def check_document_date(value: date | None) -> date | None:
    """Not in the future (a day of clock skew allowed), not before the service's records."""
    if value is not None:
        today = local_today()
        if value > today + timedelta(days=1):
            raise value_error(
                "the document's date is in the future", "ledger15_validation.document_future"
            )
        if value < EARLIEST_DATE:
            raise value_error(
                "the document's date is implausibly old", "ledger15_validation.document_too_old"
            )
    return value


def require_document_date(value: date | None) -> date:
    """A document the law requires is dated, plausibly (``check_document_date``)."""
    if value is None:
        raise value_error("the document's date is required", "sod13b_validation.document_date")
    checked = check_document_date(value)
    assert checked is not None
    return checked


def _a_name(value: str, letters: int, message: str, key: str) -> str:
    """A person's or body's name as recorded (NFC, whitespace folded): at least ``letters``
    word characters in a row, so not blank or a placeholder like ``-`` or ``…``."""
    value = clean_name(value)
    if not re.search(rf"\w{{{letters}}}", value):
        raise value_error(message, key)
    return value


def check_document_issuer(value: str) -> str:
    """Who issued the document: a name."""
    return _a_name(value, 2, "the issuer's name", "ledger15_validation.issuer")


def document_reference(
    number: str, issued_on: date | None, issuer: str, number_field: str = "document_number"
) -> dict[str, str]:
    """The document the law requires for an exit (release, return to owner, confiscation,
    transfer, disposition change) or a write-off, checked by the one rule for all: its number,
    date and issuer, each real. A refusal is a 422 naming the field, with its translation key.
    Returns the reference as the custody event records it."""
    checks: list[tuple[str, Callable[[Any], Any], Any]] = [
        (number_field, check_document_number, number),
        ("document_date", require_document_date, issued_on),
        ("document_issuer", check_document_issuer, issuer),
    ]
    checked = []
    for field, check, value in checks:
        try:
            checked.append(check(value))
        except PydanticCustomError as exc:
            shown = None if value is None else str(value)
            key = str((exc.context or {}).get("key"))
            raise Invalid(field, exc.message(), shown, key=key) from None
    number, issued, issuer = checked
    return {
        "document_number": number,
        "document_date": issued.isoformat(),
        "document_issuer": issuer,
    }


def _recipient(value: str) -> str:
    """Who receives the item: a name."""
    return _a_name(value, 1, "the recipient's name", "sod13_validation.recipient")


Recipient = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_recipient)]
DocumentNumber = Annotated[
    str, Field(min_length=1, max_length=64), AfterValidator(check_document_number)
]
DocumentDate = Annotated[date | None, AfterValidator(check_document_date)]
# Required (the default only lets the rule name what is missing, with its key).
RequiredDocumentDate = Annotated[
    date | None, Field(default=None, validate_default=True), AfterValidator(require_document_date)
]
DocumentIssuer = Annotated[
    str,
    Field(default="", max_length=200, validate_default=True),
    AfterValidator(check_document_issuer),
]


def _optional_issuer(value: str | None) -> str | None:
    """An issuer that may be left out (blank is left out); given, a name."""
    if value is None or not value.strip():
        return None
    return check_document_issuer(value)


OptionalDocumentIssuer = Annotated[
    str | None, Field(default=None, max_length=200), AfterValidator(_optional_issuer)
]


class Receiving(BaseModel):
    """Who receives an item that leaves, beside the name: the position the exit order and slip
    must state (Decree 142/2024 Art. 14: "name and position of the person delivering or
    receiving"; vn-legal-context §2.2 end, §7), the identity paper the keeper checked (Art.
    14(2), §3.5) and the agency or organisation the receiver acts for. Optional, so that
    every client of before keeps working; a slip without them prints a dotted blank."""

    recipient_position: str = Field(default="", max_length=200, examples=["Thư ký Tòa án"])
    recipient_id_document: str = Field(default="", max_length=100, examples=["CCCD 020190001234"])
    recipient_organisation: str = Field(
        default="", max_length=300, examples=["Tòa án nhân dân tỉnh Lạng Sơn"]
    )


def receiver_details(data: Receiving) -> dict[str, str]:
    """The receiver's position, paper and body as the exit's custody event records them
    (and its exit slip prints them): only those given, whitespace folded."""
    given = {
        "recipient_position": data.recipient_position,
        "recipient_id_document": data.recipient_id_document,
        "recipient_organisation": data.recipient_organisation,
    }
    return {k: clean_name(v) for k, v in given.items() if v.strip()}


class CheckoutPurpose(StrEnum):
    court = "court"
    forensic_lab = "forensic_lab"
    other_agency = "other_agency"
    other = "other"


class CheckoutRequest(Versioned, Receiving):
    recipient: Recipient = Field(examples=["TAND tỉnh Lạng Sơn"])
    purpose: CheckoutPurpose
    document_number: str = Field(min_length=1, max_length=64, examples=["123/QĐ-THA"])
    # The requesting body's letter beside its number, printed on the exit slip and its
    # hand-over record ("theo văn bản số … ngày … của …"; Circular 04/2023 Art. 11(3),
    # vn-legal-context §7). Optional, so that every client of before keeps working; a slip
    # without them prints a dotted blank.
    document_date: DocumentDate = Field(default=None, examples=["2026-11-28"])
    document_issuer: OptionalDocumentIssuer = Field(default=None, examples=["TAND tỉnh Lạng Sơn"])
    due_date: date


class ReturnRequest(Versioned):
    to_location_code: str | None = Field(default=None, description="default: where it came from")
    override_reason: str | None = None


class Participant(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    position: str = Field(default="", max_length=200)
    organisation: str = Field(default="", max_length=200)


def checked_opening(
    resealed: bool, new_seal_number: str | None, opened_at: datetime | None
) -> datetime | None:
    """An opened seal as a request states it (an unsealing, a sample): a new seal has its
    number and only then; the opening is not in the future. Returns ``opened_at`` in UTC."""
    if resealed and not (new_seal_number or "").strip():
        raise value_error("a new seal needs its number", "keysa_items.new_seal_number")
    if not resealed and new_seal_number:
        raise value_error(
            "a new seal number is given but resealed is false", "keysa_items.not_resealed"
        )
    if opened_at is None:
        return None
    if opened_at.tzinfo is None:
        opened_at = opened_at.replace(tzinfo=UTC)
    if opened_at > datetime.now(UTC):
        raise value_error("opened_at cannot be in the future", "keysa_items.opened_future")
    return opened_at


class SamplingDetails(BaseModel):
    """What the record of a sample says besides the weight (``handling.take_sample``): one
    sitting, one record. A sealed item's seal is opened for it (Decree 127/2017; vn-legal-
    context §2.4): the seal as seen before opening, the item once opened, the participants
    (at least two: the organiser and a witness sign) and the new seal if it is sealed again
    are then required. An item with no seal gets the record without its seal part: whether
    the law asks for that record is to be confirmed; the weight leaves the stock card with
    it either way."""

    opened_at: datetime | None = Field(default=None, description="defaults to now")
    place: str = Field(default="", max_length=300, description="default: the item's place")
    seal_description: str = Field(
        default="", max_length=4000, description="the seal as seen before opening"
    )
    condition_after: str = Field(
        default="", max_length=4000, description="the item as found once opened"
    )
    sample_description: str = Field(
        default="", max_length=2000, description="the sample taken: what, how packed, sealed"
    )
    resealed: bool = False
    new_seal_number: str | None = Field(default=None, max_length=64)
    participants: list[Participant] = Field(default_factory=list, max_length=20)
    recipient_document: str = Field(
        default="", max_length=200, description="the lab's document (its request for the sample)"
    )
    document_number: str | None = Field(
        default=None, max_length=100, description="the decision or order to take the sample"
    )
    notes: str = Field(default="", max_length=20000)

    @model_validator(mode="after")
    def _checked(self) -> "SamplingDetails":
        self.opened_at = checked_opening(self.resealed, self.new_seal_number, self.opened_at)
        return self


class SampleRequest(Versioned, SamplingDetails):
    """A sample taken for testing, with what its record says (``unsealing.SamplingDetails``:
    the seal opened for it, the item after, the participants, the lab's document)."""

    taken_g: float = Field(gt=0, description="net weight taken for testing, grams")
    recipient: str = Field(default="", max_length=200, description="the lab that receives it")


class ReweighRequest(Versioned):
    net_weight_g: float = Field(gt=0)
    gross_weight_g: float | None = Field(default=None, gt=0)


class SplitRequest(Versioned):
    net_weight_g: float = Field(gt=0, description="net weight of the part split off")
    quantity: float = Field(default=1, gt=0, description="how much of the quantity goes with it")
    volume_l: float | None = Field(
        default=None, ge=0, description="default: the item's volume in proportion to the weight"
    )
    description: str | None = Field(default=None, max_length=1000)


class SealCheckRequest(Versioned):
    seal_state: SealState
    seal_number: str | None = Field(default=None, max_length=64, description="a new seal")


class Documented(Versioned):
    """The document that orders or records the change, as the law requires for every exit:
    its number, date and issuer, each checked (``document_reference``'s rule)."""

    document_number: DocumentNumber
    document_date: RequiredDocumentDate
    document_issuer: DocumentIssuer


class DispositionRequest(Documented):
    disposition: Disposition


class ReleaseRequest(Documented, Receiving):
    recipient: Recipient = Field(description="owner, buyer, State body")


class TransferRequest(Documented, Receiving):
    to_agency: str = Field(
        min_length=1, max_length=200, description="the receiving agency's code", examples=["A-DIST"]
    )
    recipient: str = Field(
        default="", max_length=200, description="the person who receives for that agency"
    )


# What a judgment must have ordered before an item may leave for good (not by destruction).
RELEASABLE = frozenset(
    {
        Disposition.return_to_owner,
        Disposition.confiscate,
        Disposition.deposit_to_treasury,  # the deposit slip of the State Treasury account
        Disposition.sell,
        Disposition.keep_with_file,
    }
)


class CheckoutPublic(BaseModel):
    item_code: str
    recipient: str
    purpose: str
    document_number: str
    due_at: datetime
    checked_out_at: datetime
    from_location_code: str
    overdue_days: int
