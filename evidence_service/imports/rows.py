"""Checking ledger rows, a chunk at a time, against the file and the database: everything a
real import would refuse is found here, without writing anything or taking the write lock.

Each row is read on its own (``row_values``), then resolved against the rest: its location
with capacity and hazard rules, its case (``case_choice``), and its ledger number against the
earlier rows and the items already received.

A row is known by its ledger and its number there (STT): the ledger is the name given for the
upload, or the warehouse of the row's location and the year of its entry, since offices keep
a book per warehouse and year and start each at 1. Stored as ``external_ref`` =
``"<ledger>|<STT>"``. A row without STT is known by a fingerprint (``row_values.fingerprint``).
A row found again unchanged is skipped; changed, it is a conflict, a correction if confirmed.
"""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ..auth import agency_scope
from ..cases import CaseCreate
from ..i18n import local_day
from ..items import ItemCreate
from ..items.categories import hazard_classes_for
from ..legal.holidays import local_today
from ..locations import load_hazard_table, subtree_usage
from ..locations.hazards import check_location_accepts
from ..models import Item, Location, User, Warehouse
from .case_choice import CaseChooser
from .checked import Checked, ParsedRow, Sheet, ValidRow, invalid_value
from .mapping import Mapping, norm
from .reader import Table, cell_text
from .row_values import RowReader

# The ledger column to blame when ItemCreate refuses one of its fields.
COLUMN_OF_ITEM_FIELD = {
    "description": "description",
    "category": "category",
    "quantity": "quantity",
    "unit": "unit",
    "net_weight_g": "net_weight",
    "gross_weight_g": "gross_weight",
    "volume_l": "volume_l",
    "seal_number": "seal_number",
    "seal_state": "seal_state",
    "condition": "condition",
    "hazard_classes": "hazard_classes",
    "disposition": "disposition",
    "location_code": "location_code",
    "received_at": "received_at",
    "handover_record_no": "handover_record_no",
    "entry_slip_no": "entry_slip_no",
    "judgment_number": "judgment_number",
}


# What a re-imported ledger line may change in its item (applied as a correction).
COMPARED = ("description", "category", "quantity", "unit", "net_weight_g", "gross_weight_g")


def _differs(before: Any, after: Any) -> bool:
    if isinstance(before, float | int) or isinstance(after, float | int):
        if before is None or after is None:
            return True
        return abs(float(before) - float(after)) > 1e-6 * max(1.0, abs(float(before)))
    return norm(str(before or "")) != norm(str(after or ""))


def _changes(item: dict[str, Any], data: ItemCreate) -> dict[str, list[Any]]:
    """{field: [stored, in the file]} for the compared fields the file sets differently."""
    out = {}
    for name in COMPARED:
        after = getattr(data, name)
        if after is not None and _differs(item[name], after):
            out[name] = [item[name], after]
    return out


def _same(item: dict[str, Any], values: dict[str, Any]) -> bool:
    return norm(str(item["description"])) == norm(str(values.get("description", "")))


class RowChecker:
    """Holds what the rows of one file must agree with: each other and the database."""

    def __init__(self, session: Session, actor: User, mapping: Mapping, table: Table) -> None:
        self.session = session
        self.actor = actor
        self.mapping = mapping
        today = local_today()  # the date in Viet Nam
        self.scope = agency_scope(session, actor)
        self.hazards = load_hazard_table()
        self.sheet = Sheet(mapping, table)
        self.reader = RowReader(self.sheet, self.hazards, today)
        self.cases = CaseChooser(session, actor, self.scope, self.sheet, today)
        loc, wh = Location, Warehouse
        rows = session.exec(
            select(loc, wh.agency_id)  # type: ignore[call-overload]
            .join(wh, col(wh.id) == loc.warehouse_id)
            .where(col(wh.agency_id).in_(self.scope))
        ).all()
        self.locations: dict[str, tuple[Location, int]] = {r[0].code: (r[0], r[1]) for r in rows}
        self.warehouses = dict(
            session.exec(
                select(wh.id, wh.code).where(col(wh.agency_id).in_(self.scope))  # type: ignore[call-overload]
            ).all()
        )
        self.by_id = {r[0].id: r[0] for r in rows}
        limited = [r[0] for r in rows if r[0].max_items or r[0].max_weight_kg or r[0].max_volume_l]
        self.usage = subtree_usage(session, limited)
        self.arriving: dict[int, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        self.refs: dict[str, int] = {}  # ref → first row
        self.fingerprints: dict[str, int] = defaultdict(int)
        self.old_fingerprints: dict[str, int] = defaultdict(int)

    @property
    def cases_to_create(self) -> dict[str, CaseCreate]:
        """The cases the rows checked so far create, by judgment number."""
        return {judgment: case for judgment, (case, _) in self.cases.new_cases.items()}

    # -- one chunk -------------------------------------------------------------------------

    def check(self, chunk: Sequence[tuple[int, list[Any]]]) -> Checked:
        out = Checked()
        rows: list[ParsedRow] = []
        for number, cells in chunk:
            row = self.reader.read(number, cells)
            if row is None:
                out.empty += 1
            else:
                rows.append(row)
        self.cases.load({r.values.get("judgment_number") for r in rows} - {None})
        for row in rows:
            self._resolve(row)
        existing = self._existing_refs(rows)
        for row in rows:
            found = None
            if not row.errors:
                found = existing.get((row.agency_id or 0, row.ref or ""))
                legacy = existing.get((row.agency_id or 0, row.stt or row.old_ref or ""))
                if found is None and legacy is not None and _same(legacy, row.item):
                    found = legacy  # imported before ledgers had names (bare STT, old print)
            data = self._item(row) if not row.errors else None
            if data is not None and found is not None:
                changes = _changes(found, data)
                if not changes:
                    out.skipped.append((row.number, row.ref or "", found["code"]))
                    continue
                valid = self._valid(row, data)
                valid.correction = (found["code"], changes)
                out.conflicts.append(valid)
                continue
            if data is not None and not row.errors:
                self._capacity(row, data)
            if row.errors or data is None:
                out.rejected.append((row.number, row.cells, row.ref or "", row.errors))
                continue
            out.valid.append(self._valid(row, data))
        return out

    def _valid(self, row: ParsedRow, data: ItemCreate) -> ValidRow:
        return ValidRow(
            row.number,
            row.cells,
            row.ref or "",
            data,
            row.new_case,
            warnings=row.warnings,
            category_source=row.category_source,
            location=row.location.code if row.location else None,
            case=cell_text(row.values.get("judgment_number", "")),
        )

    # -- against the other rows and the database -------------------------------------------

    def _resolve(self, row: ParsedRow) -> None:
        if "location_code" in row.values:
            code = cell_text(row.values["location_code"]).upper().replace(" ", "")
            found = self.locations.get(code)
            if found is None:
                self.sheet.error(
                    row,
                    "location_code",
                    "unknown_location",
                    f"no location '{code}' in your warehouses",
                    "imports15_rows.unknown_location",
                    {"code": code},
                )
            else:
                row.location, row.agency_id = found
                row.item["location_code"] = code
        judgment = cell_text(row.values.get("judgment_number", ""))
        if judgment:
            self.cases.choose(row, judgment)
        if row.agency_id is None:
            row.agency_id = self.actor.agency_id
        if row.ref is None and not row.errors:
            # Identical rows without a ledger number are distinct items (two equal packets):
            # the n-th copy gets the n-th reference, so a re-import finds each again.
            self.fingerprints[row.fingerprint] += 1
            row.ref = f"#{row.fingerprint}-{self.fingerprints[row.fingerprint]}"
            self.old_fingerprints[row.old_fingerprint] += 1
            row.old_ref = f"#{row.old_fingerprint}-{self.old_fingerprints[row.old_fingerprint]}"
        elif row.ref is not None:
            row.stt = row.ref
            row.ref = f"{self._ledger(row)}|{row.ref}"
            first = self.refs.setdefault(row.ref, row.number)
            if first != row.number:
                self.sheet.error(
                    row,
                    "external_ref",
                    "duplicate",
                    f"ledger number {row.stt} is also on row {first} "
                    f"(ledger {row.ref.rsplit('|', 1)[0]})",
                    "imports15_rows.duplicate",
                    {"number": row.stt, "row": first, "ledger": row.ref.rsplit("|", 1)[0]},
                )

    def _ledger(self, row: ParsedRow) -> str:
        """The ledger a row's STT counts in: the name given, or warehouse and year."""
        if self.mapping.ledger:
            return self.mapping.ledger
        warehouse = self.warehouses.get(row.location.warehouse_id) if row.location else None
        received = row.item.get("received_at")
        year = local_day(received).year if received is not None else ""
        return f"{warehouse or '*'}/{year}"

    def _existing_refs(self, rows: list[ParsedRow]) -> dict[tuple[int, str], dict[str, Any]]:
        refs = [r.ref for r in rows if r.ref and not r.errors]
        refs += [old for r in rows if not r.errors and (old := r.stt or r.old_ref)]
        found: dict[tuple[int, str], dict[str, Any]] = {}
        table = Item.__table__.c  # type: ignore[attr-defined]
        names = ("agency_id", "external_ref", *COMPARED, "code", "id")
        for start in range(0, len(refs), 1000):
            query = sa_select(*(table[n] for n in names)).where(
                table.external_ref.in_(refs[start : start + 1000]),
                table.agency_id.in_(self.scope),
            )
            for values in self.session.execute(query).all():
                item = dict(zip(names, values, strict=True))
                found[(item["agency_id"], item["external_ref"])] = item
        return found

    # -- the item --------------------------------------------------------------------------

    def _item(self, row: ParsedRow) -> ItemCreate | None:
        item = dict(row.item)
        if row.case_id is not None:
            item["case_id"] = row.case_id
        else:
            item["judgment_number"] = cell_text(row.values.get("judgment_number", ""))
        if item.get("disposition") is None:
            item.pop("disposition", None)
        try:
            data = ItemCreate(**item, external_ref=row.ref)
        except ValidationError as exc:
            for e in exc.errors():
                name = str(e["loc"][0]) if e["loc"] else ""
                self.sheet.error(
                    row,
                    COLUMN_OF_ITEM_FIELD.get(name),
                    "invalid",
                    e["msg"].removeprefix("Value error, "),
                    *invalid_value(e),
                )
            return None
        if row.location is not None:
            for refusal in check_location_accepts(
                self.hazards,
                list(hazard_classes_for(data.category, data.hazard_classes)),
                list(row.location.allowed_hazard_classes),
                row.location.secure,
            ):
                self.sheet.error(
                    row,
                    "location_code",
                    "location_refuses",
                    f"{row.location.code}: {refusal.message}",
                    f"imports15_rows.location_{refusal.code}",
                    {"code": row.location.code, "hazard": refusal.hazard_class},
                )
        return data

    def _capacity(self, row: ParsedRow, data: ItemCreate) -> None:
        """Count the rows towards the limits of every location above their target, as
        intake does: the first row that would not fit is refused, later ones still may."""
        location = row.location
        if location is None:
            return
        ids = [int(s) for s in location.path.strip("/").split("/")]
        adds = (1, (data.net_weight_g or 0.0) / 1000, data.volume_l or 0.0)
        for i in ids:
            loc = self.by_id.get(i)
            if loc is None or i not in self.usage:
                continue
            used = self.usage[i]
            arriving = self.arriving[i]
            for n, (label, limit, current) in enumerate(
                (
                    ("max_items", loc.max_items, used.items),
                    ("max_weight_kg", loc.max_weight_kg, used.net_weight_kg),
                    ("max_volume_l", loc.max_volume_l, used.volume_l),
                )
            ):
                if limit and adds[n] and current + arriving[n] + adds[n] > limit + 1e-9:
                    self.sheet.error(
                        row,
                        "location_code",
                        "capacity_exceeded",
                        f"location {loc.code} would exceed {label}: used "
                        f"{current + arriving[n]:g} (with earlier rows), limit "
                        f"{limit:g}, this row {adds[n]:g}",
                        f"imports15_rows.capacity_{label}",
                        {
                            "code": loc.code,
                            "used": float(current + arriving[n]),
                            "limit": float(limit),
                            "requested": float(adds[n]),
                        },
                    )
                    return
        for i in ids:
            if i in self.usage:
                for n in range(3):
                    self.arriving[i][n] += adds[n]
