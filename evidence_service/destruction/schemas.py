"""Request and response models of the destruction workflow."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from ..environment.estimate import EstimatedReleases
from ..environment.sites import SiteFlag
from ..models import BatchStatus, Category, CouncilRole, ItemStatus, LegalRegime


class ItemResult(StrEnum):
    destroyed = "destroyed"
    excluded = "excluded"


class BatchCreate(BaseModel):
    title: str = Field(default="", max_length=300, examples=["Tiêu hủy ma túy đợt 1/2026"])
    notes: str = Field(default="", max_length=4000)
    agency_code: str | None = Field(default=None, description="defaults to the user's agency")


class AddItemsRequest(BaseModel):
    codes: list[str] = Field(min_length=1, max_length=1000)
    override_reason: str | None = Field(
        default=None,
        max_length=1000,
        description="manager only: add items whose disposition is not 'destroy', and why",
    )
    enforcement_decision_date: date | None = Field(
        default=None,
        description="date of the enforcement decision ordering destruction (starts the legal "
        "deadlines); default: the day the item's case was recorded",
    )


class MemberIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Nguyễn Văn Ánh"])
    position: str = Field(default="", max_length=200, examples=["Phó Thủ trưởng"])
    organisation: str = Field(
        default="", max_length=200, examples=["Phòng THADS khu vực 1 – Lạng Sơn"]
    )
    role: CouncilRole
    username: str | None = Field(default=None, description="the member's account, if any")


class ApproveRequest(BaseModel):
    decision_number: str = Field(min_length=1, max_length=64, examples=["15/QĐ-THADS"])
    decision_date: date
    decision_issuer: str = Field(min_length=1, max_length=200)
    members: list[MemberIn] = Field(min_length=1, max_length=50)


class SealSeen(StrEnum):
    """The seal as the council found it before opening (vn-legal-context §2.4, §7 Item:
    nguyên vẹn / rách / khả nghi), or no seal on the item."""

    intact = "intact"
    torn = "torn"
    suspicious = "suspicious"
    unsealed = "unsealed"


class AttendeeKind(StrEnum):
    """Who attends a destruction without being a council member (vn-legal-context §4.1 and
    §4.3: police escort or security, the commune, the contractor)."""

    police = "police"
    commune = "commune"
    contractor = "contractor"
    other = "other"


class AttendeeIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    position: str = Field(default="", max_length=200)
    organisation: str = Field(default="", max_length=200)
    kind: AttendeeKind


class ContractorIn(BaseModel):
    """The licensed organisation hired for hazardous items (Circular 01/2017 Art. 13(1),
    vn-legal-context §4.5): name, licence, contract number and date."""

    name: str = Field(min_length=1, max_length=300)
    licence: str = Field(default="", max_length=100)
    contract_number: str = Field(min_length=1, max_length=100)
    contract_date: date


class ExecutedItem(BaseModel):
    code: str
    seal_intact: bool | None = Field(
        default=None, description="or give seal_state; one of the two is required"
    )
    seal_state: SealSeen | None = Field(
        default=None, description="the seal before opening: intact, torn, suspicious, unsealed"
    )
    seal_number: str | None = Field(
        default=None, max_length=64, description="as read on the seal (default: the recorded one)"
    )
    seal_note: str | None = Field(
        default=None,
        max_length=2000,
        description="required when the seal is not intact or its number differs",
    )
    condition: str | None = Field(
        default=None,
        max_length=1000,
        description="condition before destruction (Circular 04/2023 Art. 12(1)); default: "
        "the condition recorded at intake",
    )
    method: str | None = Field(
        default=None, max_length=64, description="this line's method id, if not the batch's"
    )
    measured_weight_g: float | None = Field(default=None, ge=0, description="before destruction")
    result: ItemResult
    exclusion_reason: str | None = Field(default=None, max_length=1000)
    weight_note: str | None = Field(
        default=None, max_length=1000, description="required when the weight is off tolerance"
    )


class ExecuteRequest(BaseModel):
    executed_at: datetime
    site: str = Field(min_length=1, max_length=300)
    method: str = Field(description="a method id from the methods data (GET .../methods)")
    method_details: dict[str, Any] = Field(default_factory=dict)
    environment: dict[str, Any] = Field(
        default_factory=dict,
        description="weather, residue_quantity_kg, residue_destination, incidents, notes",
    )
    safety_plan_ref: str | None = Field(
        default=None, max_length=100, description="required when any item is fireworks"
    )
    items: list[ExecutedItem] = Field(min_length=1)
    ended_at: datetime | None = Field(default=None, description="when the destruction ended")
    attendees: list[AttendeeIn] = Field(
        default_factory=list, max_length=50, description="present without being members"
    )
    contractor: ContractorIn | None = None
    conclusion: str | None = Field(default=None, max_length=4000)


class CloseRequest(BaseModel):
    pass


class CancelRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class BatchItemPublic(BaseModel):
    code: str
    category: Category
    description: str
    case_id: int
    judgment_number: str | None
    legal_regime: LegalRegime
    item_status: ItemStatus
    seal_number: str | None
    quantity: float
    unit: str
    override_reason: str | None
    enforcement_decision_date: date | None
    # Remembered when the council was established (vn-legal-context §4.3).
    council_due_on: date | None = None
    council_days_late: int | None = None
    recorded_weight_g: float | None
    measured_weight_g: float | None
    weight_difference_pct: float | None
    weight_flagged: bool
    weight_note: str | None
    seal_intact: bool | None
    result: ItemResult | None
    exclusion_reason: str | None
    warehouse_code: str | None
    # What the record prints per line (vn-documents-review, destruction record).
    condition: str = ""
    condition_before: str | None = None
    method: str | None = None
    seal_state_seen: SealSeen | None = None
    seal_number_seen: str | None = None
    seal_note: str | None = None
    entry_slip_no: str | None = None
    exit_slip_no: str | None = None
    # The exit slip's id: its PDF at ``GET /api/v1/exit-slips/{id}.pdf``.
    exit_slip_id: int | None = None
    # The record of the item's opening at execution: ``GET /api/v1/unsealings/{id}/record.pdf``.
    unsealing_id: int | None = None
    unsealing_no: str | None = None
    enforcement_decisions: list[str] = Field(default_factory=list)


class MemberPublic(BaseModel):
    name: str
    position: str
    organisation: str
    role: CouncilRole
    username: str | None
    handled_items: list[str] = Field(description="batch items whose custody they took part in")
    present_confirmed_at: datetime | None = Field(
        default=None, description="when a member with an account confirmed being there"
    )


class PhotoPublic(BaseModel):
    id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    caption: str
    uploaded_by: str
    uploaded_at: datetime


class Flag(BaseModel):
    kind: str = Field(
        description="member_handled_items | weight_discrepancy | environmental_risk | override"
    )
    message: str
    item_code: str | None = None
    member: str | None = None


class BatchSummary(BaseModel):
    id: int
    number: str
    agency_code: str
    status: BatchStatus
    title: str
    created_at: datetime
    decision_number: str | None
    decision_date: date | None
    executed_at: datetime | None
    method: str | None
    environmental_risk: bool
    item_count: int
    closed_at: datetime | None
    record_sha256: str | None


class BatchPublic(BatchSummary):
    agency_name: str
    notes: str
    created_by: str
    decision_issuer: str | None
    approved_by: str | None
    approved_at: datetime | None
    site: str | None
    method_name: str | None
    method_details: dict[str, Any]
    environment: dict[str, Any]
    safety_plan_ref: str | None
    executed_by: str | None
    closed_by: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    destruction_due_on: date | None = None
    destruction_days_late: int | None = None
    ended_at: datetime | None = None
    attendees: list[AttendeeIn] = Field(default_factory=list)
    contractor: ContractorIn | None = None
    conclusion: str | None = None
    record_number: str | None = Field(default=None, description="Số of the final record")
    version: int
    items: list[BatchItemPublic]
    members: list[MemberPublic]
    photos: list[PhotoPublic]
    flags: list[Flag]
    # The environment (environment/): releases, order-of-magnitude; site safeguards broken.
    estimated_releases: EstimatedReleases | None = None
    site_flags: list[SiteFlag] = Field(default_factory=list)


class MethodFieldPublic(BaseModel):
    name: str
    label_vi: str
    label_en: str
    type: str
    unit: str
    required: bool


class MethodPublic(BaseModel):
    id: str
    name_vi: str
    name_en: str
    environmental_risk: bool
    risk_cleared_by: str | None
    categories: list[str]
    fields: list[MethodFieldPublic]
