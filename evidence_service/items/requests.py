"""What a change of one stored item takes (each carries the version seen and a reason), and
what the overdue check-outs report shows."""

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from ..models import Disposition, SealState
from .lifecycle import Versioned


class CheckoutPurpose(StrEnum):
    court = "court"
    forensic_lab = "forensic_lab"
    other_agency = "other_agency"
    other = "other"


class CheckoutRequest(Versioned):
    recipient: str = Field(min_length=1, max_length=200, examples=["TAND tỉnh Lạng Sơn"])
    purpose: CheckoutPurpose
    document_number: str = Field(min_length=1, max_length=64, examples=["123/QĐ-THA"])
    due_date: date


class ReturnRequest(Versioned):
    to_location_code: str | None = Field(default=None, description="default: where it came from")
    override_reason: str | None = None


class SampleRequest(Versioned):
    taken_g: float = Field(gt=0, description="net weight taken for testing, grams")
    recipient: str = Field(default="", max_length=200)


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


class DispositionRequest(Versioned):
    disposition: Disposition
    document_number: str = Field(min_length=1, max_length=64, description="judgment or decision")


class ReleaseRequest(Versioned):
    recipient: str = Field(min_length=1, max_length=200, description="owner, buyer, State body")
    document_number: str = Field(min_length=1, max_length=64, description="handover record")


class TransferRequest(Versioned):
    to_agency: str = Field(min_length=1, max_length=200, examples=["Chi cục THADS huyện Lộc Bình"])
    document_number: str = Field(min_length=1, max_length=64, description="transfer decision")


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
