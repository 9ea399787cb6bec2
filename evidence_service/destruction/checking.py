"""The council's check of each line before destruction, and the record's other facts.

Per line (Circular 04/2023 Art. 12(1); Decree 152/2026 Art. 40(2); vn-legal-context §4.3
step 3, §7 Destruction record): the seal as found before opening, its number reconciled with
the one recorded at entry, the condition before destruction, the method of the line. A seal
that is not intact (torn, suspicious, or missing on an item recorded as sealed), or whose
number differs, needs a note, and the item's seal state follows what was found.

Per batch: when it ended, who attended without being a member, the contractor and its
contract, the conclusion.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import Invalid
from ..models import Item, SealState
from .methods import Method, MethodTable
from .schemas import BatchItemPublic, ExecutedItem, ExecuteRequest, SealSeen


@dataclass(frozen=True)
class LineCheck:
    seal_state: SealSeen
    seal_intact: bool | None  # None: the item carries no seal
    seal_number: str | None
    seal_note: str | None
    number_differs: bool
    condition: str | None
    method: Method | None  # None: the batch's method

    @property
    def not_intact(self) -> bool:
        return self.seal_state in (SealSeen.torn, SealSeen.suspicious) or self.number_differs

    def item_seal_state(self, item: Item) -> str:
        """The item's seal state once checked: broken if not intact, intact if so."""
        if self.not_intact or (self.seal_state == SealSeen.unsealed and item.seal_number):
            return SealState.broken.value
        if self.seal_state == SealSeen.intact and (
            item.seal_number or item.seal_state != SealState.unsealed
        ):
            return SealState.intact.value
        return item.seal_state


def _fold(text: str | None) -> str:
    return "".join((text or "").split()).upper()


def seal_problem(line: BatchItemPublic) -> bool:
    """The line's seal was not intact when checked: torn or suspicious, missing on an item
    recorded as sealed, or bearing another number than the one recorded (flag and record)."""
    state = line.seal_state_seen
    if state in (SealSeen.torn, SealSeen.suspicious):
        return True
    if state == SealSeen.unsealed and line.seal_number:
        return True
    return bool(
        line.seal_number
        and line.seal_number_seen
        and _fold(line.seal_number) != _fold(line.seal_number_seen)
    )


def check_line(n: int, entry: ExecutedItem, item: Item, methods: MethodTable) -> LineCheck:
    where = f"items.{n}"
    state = entry.seal_state
    if state is None:
        if entry.seal_intact is None:
            raise Invalid(
                f"{where}.seal_state",
                "say how the seal was found before opening",
                key="docs15_refusal.seal_state",
                params={"code": item.code},
            )
        state = SealSeen.intact if entry.seal_intact else SealSeen.torn
    elif entry.seal_intact is not None and entry.seal_intact != (state == SealSeen.intact):
        raise Invalid(
            f"{where}.seal_intact",
            f"contradicts seal_state '{state.value}'",
            key="docs15_refusal.seal_contradicts",
            params={"code": item.code},
        )
    seen_number = (entry.seal_number or "").strip() or None
    differs = bool(
        seen_number and item.seal_number and _fold(seen_number) != _fold(item.seal_number)
    )
    note = (entry.seal_note or "").strip() or None
    missing_seal = state == SealSeen.unsealed and bool(item.seal_number)
    if note is None and (state in (SealSeen.torn, SealSeen.suspicious) or differs or missing_seal):
        problem = (
            f"the seal number {seen_number} differs from the recorded {item.seal_number}"
            if differs
            else f"the seal was found {state.value}"
        )
        raise Invalid(
            f"{where}.seal_note",
            f"{problem}: note what was found and done",
            key="docs15_refusal.seal_note",
            params={"code": item.code},
        )
    method = None
    if entry.method:
        try:
            method = methods.get(entry.method)
        except Invalid:
            known = ", ".join(sorted(methods.methods))
            raise Invalid(
                f"{where}.method",
                f"unknown method (known: {known})",
                entry.method,
                key="docs15_refusal.unknown_method",
                params={"method": entry.method},
            ) from None
    intact = None if state == SealSeen.unsealed else state == SealSeen.intact
    return LineCheck(
        seal_state=state,
        seal_intact=intact,
        seal_number=seen_number or item.seal_number,
        seal_note=note,
        number_differs=differs,
        condition=(entry.condition or "").strip() or None,
        method=method,
    )


def batch_facts(data: ExecuteRequest, executed_at: datetime) -> dict[str, Any]:
    """The batch's columns for the end time, attendees, contractor and conclusion."""
    ended_at = None
    if data.ended_at is not None:
        given = data.ended_at
        ended_at = given.replace(tzinfo=UTC) if given.tzinfo is None else given.astimezone(UTC)
        if ended_at < executed_at:
            raise Invalid(
                "ended_at",
                "the destruction cannot end before it started",
                key="docs15_refusal.end_before_start",
            )
        if ended_at > datetime.now(UTC) + timedelta(minutes=5):
            raise Invalid(
                "ended_at",
                "the end of the destruction cannot be in the future",
                key="docs15_refusal.end_future",
            )
    conclusion = (data.conclusion or "").strip() or None
    return {
        "ended_at": ended_at,
        "attendees": [a.model_dump(mode="json") for a in data.attendees],
        "contractor": data.contractor.model_dump(mode="json") if data.contractor else {},
        "conclusion": conclusion,
    }
