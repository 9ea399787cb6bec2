"""Closing a count with what its record states besides the scans: everyone who took part
(name, position, agency; Circular 04/2023 Art. 11(4), vn-legal-context §7 Inventory record),
and for each discrepancy its cause and the measures taken (§3.4, §3.7). The record is then
made final: numbered, stored with its SHA-256 (``documents``)."""

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from .. import payload
from ..errors import Invalid
from ..models import Discrepancy, Item, Stocktake, User
from .record import finalise_record
from .workflow import Signers
from .workflow import close as close_count


class Participant(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    position: str = Field(default="", max_length=200)
    organisation: str = Field(default="", max_length=200)
    role: str = Field(
        default="", max_length=200, examples=["Chấp hành viên", "Bảo vệ kho", "Bên bảo quản"]
    )


class Finding(BaseModel):
    """Why an item is missing, short or its seal not intact, and what is done about it."""

    code: str = Field(max_length=64)
    cause: str = Field(default="", max_length=10_000)
    measures: str = Field(default="", max_length=10_000)


class CloseRequest(Signers):
    participants: list[Participant] = Field(default_factory=list, max_length=30)
    findings: list[Finding] = Field(default_factory=list, max_length=10_000)


def close(
    session: Session, stocktake_id: int, data: Signers, actor: User, discrepancy_days: int
) -> Stocktake:
    """Close the count (``workflow.close``), note the participants and the findings, make the
    record final. Nothing is written if a finding names an item with no discrepancy."""
    stocktake = close_count(session, stocktake_id, data, actor, discrepancy_days)
    if isinstance(data, CloseRequest):
        stocktake.participants = [p.model_dump() for p in data.participants]
        session.add(stocktake)
        _apply_findings(session, stocktake_id, data.findings)
    session.flush()
    finalise_record(session, stocktake, actor)
    return stocktake


def _apply_findings(session: Session, stocktake_id: int, findings: list[Finding]) -> None:
    if not findings:
        return
    rows = session.exec(
        select(Discrepancy, Item.label_key)
        .join(Item, Item.id == Discrepancy.item_id)  # type: ignore[arg-type]
        .where(Discrepancy.stocktake_id == stocktake_id)
    ).all()
    by_key: dict[str, list[Discrepancy]] = {}
    for discrepancy, key in rows:  # an item's broken seal and its shortfall share a finding
        by_key.setdefault(key, []).append(discrepancy)
    for n, finding in enumerate(findings):
        try:
            key = payload.code_key(finding.code)
        except ValueError:
            raise Invalid(
                f"findings.{n}.code",
                "not an item code",
                finding.code,
                key="docs15_refusal.not_item_code",
                params={"code": finding.code},
            ) from None
        found = by_key.get(key)
        if not found:
            raise Invalid(
                f"findings.{n}.code",
                "no discrepancy for this item",
                finding.code,
                key="keysa_stocktake.no_discrepancy",
                params={"code": finding.code},
            )
        for discrepancy in found:
            discrepancy.cause = finding.cause.strip() or None
            discrepancy.measures = finding.measures.strip() or None
            session.add(discrepancy)
