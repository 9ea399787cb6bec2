"""What a handover takes and what the API shows of it."""

import datetime as dt
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from ..errors import value_error
from ..items.intake import ItemCreate
from ..items.requests import CLOCK_SKEW, EARLIEST_DATE
from ..models import ReceiverRole, SealState

# The acts a handover may rest on (vn-legal-context §2.2(1–2), §5.2, §7).
ACT_KINDS = ("transfer_decision", "seizure_record", "forensic_conclusion", "entry_order")


class ActRef(BaseModel):
    """A document referred to: its number, date and issuer."""

    number: str = Field(min_length=1, max_length=100, examples=["12/QĐ-VKS"])
    date: dt.date | None = None
    issuer: str = Field(default="", max_length=200)


class Deliverer(BaseModel):
    """The person handing the items over, for their agency (Decree 142/2024 Art. 14:
    introduction letter and identity papers checked)."""

    name: str = Field(default="", max_length=200)
    position: str = Field(default="", max_length=200)
    id_document: str = Field(default="", max_length=64, description="CCCD / ID card number")
    agency: str = Field(default="", max_length=200)
    introduction_letter: str = Field(default="", max_length=200, description="its number")


class Receiver(BaseModel):
    role: ReceiverRole
    name: str = Field(min_length=1, max_length=200)
    position: str = Field(default="", max_length=200)


class HandoverItem(ItemCreate):
    """An item as handed over: an intake (``ItemCreate``) with its comparison against the
    initial seizure record and its seal as received."""

    matches_seizure_record: bool = True
    difference: str = Field(default="", max_length=2000, description="what differs, if any")
    seal_signatories: list[str] = Field(default_factory=list, max_length=20)
    forensic_conclusion: ActRef | None = Field(
        default=None, description="the item's own (new) conclusion, e.g. for a torn seal"
    )


class HandoverDetails(BaseModel):
    """The handover's own details: who, where, when, on which acts."""

    handed_over_at: datetime | None = Field(default=None, description="defaults to now")
    place: str = Field(default="", max_length=300)
    deliverer: Deliverer = Field(default_factory=Deliverer)
    receivers: list[Receiver] = Field(default_factory=list, max_length=10)
    acts: dict[str, ActRef] = Field(default_factory=dict)
    resolution: str = Field(
        default="", max_length=4000, description="how differences were clarified"
    )
    notes: str = Field(default="", max_length=20000)

    @model_validator(mode="after")
    def _checked(self) -> "HandoverDetails":
        unknown = sorted(set(self.acts) - set(ACT_KINDS))
        if unknown:
            raise value_error(
                f"unknown act {unknown[0]!r}; known: {', '.join(ACT_KINDS)}",
                "keysb_validation.unknown_act",
                act=unknown[0],
            )
        if self.handed_over_at is not None:
            if self.handed_over_at.tzinfo is None:
                self.handed_over_at = self.handed_over_at.replace(tzinfo=UTC)
            if self.handed_over_at > datetime.now(UTC) + CLOCK_SKEW:
                raise value_error(
                    "handed_over_at cannot be in the future", "keysb_validation.handover_future"
                )
            if self.handed_over_at.date() < EARLIEST_DATE:
                raise value_error(
                    f"handed_over_at cannot be before {EARLIEST_DATE}",
                    "keysb_validation.handover_too_old",
                    earliest=EARLIEST_DATE.strftime("%d/%m/%Y"),
                )
        return self


class HandoverCreate(HandoverDetails):
    """``POST /handovers``: the handover and its items, received all or nothing."""

    case_id: int | None = Field(default=None, description="the items' case, unless each names one")
    location_code: str | None = Field(default=None, description="where the items go, by default")
    items: list[HandoverItem] = Field(min_length=1, max_length=5000)
    override_reason: str | None = Field(default=None, description="manager override of limits")

    @model_validator(mode="before")
    @classmethod
    def _items_inherit(cls, data: Any) -> Any:
        """Items take the handover's case and place unless they give their own."""
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            return data
        items = []
        for given in data["items"]:
            if isinstance(given, dict):
                given = dict(given)
                if not (given.get("case_id") or given.get("judgment_number")):
                    given["case_id"] = data.get("case_id")
                if not given.get("location_code"):
                    given["location_code"] = data.get("location_code")
            items.append(given)
        return {**data, "items": items}


class LineCompletion(BaseModel):
    """What completing a handover says about one of its items."""

    item_code: str = Field(min_length=1, max_length=32)
    matches_seizure_record: bool = True
    difference: str = Field(default="", max_length=2000)
    seal_state: SealState | None = Field(default=None, description="the seal as received")
    seal_signatories: list[str] = Field(default_factory=list, max_length=20)
    forensic_conclusion: ActRef | None = None


class HandoverCompletion(HandoverDetails):
    """``POST /handovers/{id}/complete``: the details an implicit handover lacked."""

    lines: list[LineCompletion] = Field(default_factory=list, max_length=5000)


class HandoverLinePublic(BaseModel):
    line_no: int
    item_code: str
    description: str
    category: str
    quantity: float
    unit: str
    net_weight_g: float | None
    condition: str
    matches_seizure_record: bool
    difference: str
    seal_number: str | None
    seal_state: SealState
    seal_signatories: list[str]
    forensic_conclusion: ActRef | None


class HandoverCustodian(BaseModel):
    """The outside custodian who keeps the items where they are (its warehouse's custodian,
    as the handover saw it); ``in_place``: the handover is one in place (from 01/07/2026,
    Decree 152/2026 Art. 37), its record signed by the enforcement officer and the
    custodian's representative."""

    warehouse: str
    kind: str
    name: str
    representative: str
    position: str
    contract: str
    place: str
    in_place: bool


class HandoverPublic(BaseModel):
    id: int
    agency_code: str
    case_id: int | None
    record_number: str | None = Field(description="once final")
    entry_slip_number: str | None = Field(description="once final")
    implicit: bool
    final: bool
    handed_over_at: datetime
    place: str
    deliverer: Deliverer
    receivers: list[Receiver]
    acts: dict[str, ActRef]
    resolution: str
    notes: str
    created_by: str
    final_at: datetime | None
    record_sha256: str | None
    entry_slip_sha256: str | None
    # What still keeps the handover from being final (empty once it is).
    missing: list[str]
    custodian: HandoverCustodian | None = Field(
        default=None, description="the outside custodian keeping the items, if any"
    )
    lines: list[HandoverLinePublic]


class HandoverSummary(BaseModel):
    id: int
    record_number: str | None
    entry_slip_number: str | None
    handed_over_at: datetime
    deliverer_name: str
    deliverer_agency: str
    item_count: int
    final: bool
    implicit: bool
