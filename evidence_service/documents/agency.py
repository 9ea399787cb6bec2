"""Who issues a document: the agency header (parent body above, agency below, both upper
case, as in the 2025 structure: "THI HÀNH ÁN DÂN SỰ TỈNH LẠNG SƠN" over "PHÒNG THADS KHU VỰC
2 - LẠNG SƠN", vn-legal-context §1.1) and the place written before the date."""

import re
from dataclasses import dataclass

from sqlmodel import Session

from ..models import Agency

# A provincial agency has no parent agency in the service: the body it belongs to. The
# provincial THADS agencies report to the Ministry of Justice through the Department of Civil
# Judgment Enforcement Management (Decision 1898/QĐ-BTP, §1.1); which of the two heads their
# documents is to be confirmed with the client's printed forms.
TOP_BODY = "Bộ Tư pháp"

_PROVINCE = re.compile(r"(?:tỉnh|thành phố|TP\.?)\s+(.+?)\s*$", re.IGNORECASE)
_SUFFIX = re.compile(r"\s[-–]\s*(.+?)\s*$")


@dataclass(frozen=True)
class AgencyHeader:
    """The two lines of the agency header and the place of the place/date line."""

    parent: str
    name: str
    place: str


def place_of(names: list[str]) -> str:
    """The province in the first of ``names`` that has one ("… tỉnh Lạng Sơn" or
    "… khu vực 2 - Lạng Sơn" → "Lạng Sơn"); else the last name as it is."""
    for name in names:
        if found := _PROVINCE.search(name):
            return found.group(1)
        if found := _SUFFIX.search(name):
            return found.group(1)
    return names[-1] if names else ""


def agency_header(session: Session, agency_id: int) -> AgencyHeader:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise LookupError(f"agency {agency_id} not found")
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    names = [agency.name] + ([parent.name] if parent else [])
    return AgencyHeader(
        parent=parent.name if parent else TOP_BODY, name=agency.name, place=place_of(names)
    )
