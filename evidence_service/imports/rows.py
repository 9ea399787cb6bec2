"""Checking ledger rows, a chunk at a time, against the file and the database: everything a
real import would refuse is found here, without writing anything or taking the write lock.

Case choice: a row whose judgment number matches no case creates the case when the row also
gives the court and the enforcement decision number (the decision year from the decision
date or the number itself); otherwise the row is reported (unknown_case).
"""

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ..auth import agency_scope, can
from ..cases import JUDGMENT_PATTERN, CaseCreate
from ..items import ItemCreate, Person
from ..locations import load_hazard_table, subtree_usage
from ..locations.hazards import UnknownHazardClass, check_location_accepts
from ..models import Agency, Case, Item, LegalRegime, Location, User, Warehouse
from .mapping import Mapping, norm
from .reader import Formula, Table, cell_text, column_letter
from .values import Problem, parse_date, parse_decimal, parse_quantity, parse_weight_g
from .values import start_of_day_utc as day_start

REGIME_CHANGE = date(2026, 7, 1)
_YEAR_IN_NUMBER = re.compile(r"(?:^|/)((?:19|20)\d{2})(?:/|$)")
ITEM_FIELDS = {
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


@dataclass
class RowError:
    row: int
    column: str
    cell: str
    value: str
    kind: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "value": self.value,
            "kind": self.kind,
            "message": self.message,
        }


@dataclass
class ValidRow:
    row: int
    cells: list[Any]
    ref: str
    data: ItemCreate
    new_case: str | None  # judgment number of a case this import creates


@dataclass
class Checked:
    valid: list[ValidRow] = field(default_factory=list)
    rejected: list[tuple[int, list[Any], str, list[RowError]]] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)  # row, ref, item code
    empty: int = 0


@dataclass
class _Row:
    number: int
    cells: list[Any]
    values: dict[str, Any]
    errors: list[RowError]
    item: dict[str, Any] = field(default_factory=dict)
    ref: str | None = None
    fingerprint: str = ""
    case_id: int | None = None
    new_case: str | None = None
    agency_id: int | None = None
    location: Location | None = None


class RowChecker:
    """Holds what the rows of one file must agree with: each other and the database."""

    def __init__(self, session: Session, actor: User, mapping: Mapping, table: Table) -> None:
        self.session = session
        self.actor = actor
        self.mapping = mapping
        self.table = table
        self.today = datetime.now(UTC).date()
        self.scope = agency_scope(session, actor)
        self.may_create_cases = can(actor, "manage_cases")
        self.hazards = load_hazard_table()
        self.columns = {name: index for index, name in table.fields.items()}
        loc, wh = Location, Warehouse
        rows = session.exec(
            select(loc, wh.agency_id)  # type: ignore[call-overload]
            .join(wh, col(wh.id) == loc.warehouse_id)
            .where(col(wh.agency_id).in_(self.scope))
        ).all()
        self.locations: dict[str, tuple[Location, int]] = {r[0].code: (r[0], r[1]) for r in rows}
        self.by_id = {r[0].id: r[0] for r in rows}
        limited = [r[0] for r in rows if r[0].max_items or r[0].max_weight_kg or r[0].max_volume_l]
        self.usage = subtree_usage(session, limited)
        self.arriving: dict[int, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        self.cases: dict[str, list[Case]] = {}
        self.new_cases: dict[str, tuple[CaseCreate, int]] = {}  # judgment → (case, first row)
        self.refs: dict[str, int] = {}  # ref → first row
        self.fingerprints: dict[str, int] = defaultdict(int)
        agency = session.get(Agency, actor.agency_id)
        self.issuer = agency.name if agency else ""

    # -- one chunk -------------------------------------------------------------------------

    def check(self, chunk: Sequence[tuple[int, list[Any]]]) -> Checked:
        out = Checked()
        rows: list[_Row] = []
        for number, cells in chunk:
            row = self._parse(number, cells)
            if row is None:
                out.empty += 1
            else:
                rows.append(row)
        self._load_cases({r.values.get("judgment_number") for r in rows} - {None})
        for row in rows:
            self._resolve(row)
        existing = self._existing_refs(rows)
        for row in rows:
            if not row.errors:
                found = existing.get((row.agency_id or 0, row.ref or ""))
                if found is not None:
                    code, description = found
                    if norm(description) == norm(row.item["description"]):
                        out.skipped.append((row.number, row.ref or "", code))
                        continue
                    self._error(
                        row,
                        "external_ref",
                        "ref_conflict",
                        f"ledger number {row.ref} is already item {code} "
                        f"('{description[:60]}'), a different item",
                    )
            data = self._item(row) if not row.errors else None
            if data is not None and not row.errors:
                self._capacity(row, data)
            if row.errors or data is None:
                out.rejected.append((row.number, row.cells, row.ref or "", row.errors))
                continue
            out.valid.append(ValidRow(row.number, row.cells, row.ref or "", data, row.new_case))
        return out

    def _error(self, row: _Row, field_name: str | None, kind: str, message: str) -> None:
        index = self.columns.get(field_name) if field_name else None
        header = self.table.headers[index] if index is not None else ""
        value = cell_text(row.cells[index]) if index is not None and index < len(row.cells) else ""
        cell = f"{column_letter(index)}{row.number}" if index is not None else ""
        row.errors.append(RowError(row.number, header, cell, value, kind, message))

    # -- reading the cells -----------------------------------------------------------------

    def _parse(self, number: int, cells: list[Any]) -> _Row | None:
        values: dict[str, Any] = {}
        for name, index in self.columns.items():
            value = cells[index] if index < len(cells) else None
            if isinstance(value, str) and not isinstance(value, Formula):
                value = value.strip()
            if value is not None and value != "":
                values[name] = value
        if not any(k != "external_ref" for k in values):
            return None  # an empty line (perhaps numbered in advance)
        row = _Row(number, cells, values, [])
        for name, value in values.items():
            if isinstance(value, Formula):
                self._error(
                    row,
                    name,
                    "formula",
                    f"the cell holds a formula ({value[:40]}), not a value; in Excel "
                    "copy the column and 'Paste special → Values'",
                )
        if row.errors:
            return row
        item = row.item
        self._text(row, "description", item)
        self._read_quantity(row)
        self._read_weights(row)
        self._read_category(row)
        self._read_synonym(row, "seal_state", self.mapping.seal_states, "unknown_seal_state")
        self._read_synonym(row, "disposition", self.mapping.dispositions, "unknown_disposition")
        for name in ("seal_number", "handover_record_no", "entry_slip_no"):
            self._text(row, name, item)
        condition = "; ".join(str(values[n]) for n in ("condition", "notes") if n in values)
        if condition:
            item["condition"] = condition
        if "delivered_by" in values:
            item["delivered_by"] = Person(name=cell_text(values["delivered_by"])[:200])
        if "received_at" in values:
            try:
                item["received_at"] = day_start(parse_date(values["received_at"], self.today))
            except Problem as p:
                self._error(row, "received_at", p.kind, p.message)
        if "hazard_classes" in values:
            parts = re.split(r"[;,]\s*|\s+và\s+", cell_text(values["hazard_classes"]))
            try:
                item["hazard_classes"] = self.hazards.normalise_all([p for p in parts if p])
            except UnknownHazardClass as exc:
                self._error(row, "hazard_classes", "unknown_hazard_class", str(exc))
        if "external_ref" in values:
            row.ref = cell_text(values["external_ref"])
            if len(row.ref) > 100:
                self._error(row, "external_ref", "too_long", "ledger number over 100 characters")
        else:
            parts = [f"{n}={norm(cell_text(values[n]))}" for n in sorted(values)]
            row.fingerprint = hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]
        for name in self.mapping.required:
            if name not in values and not (name == "unit" and item.get("unit")):
                self._error(row, name, "missing_value", f"'{self._header(name)}' is empty")
        return row

    def _text(self, row: _Row, name: str, item: dict[str, Any]) -> None:
        if name in row.values:
            item[name] = cell_text(row.values[name])

    def _read_quantity(self, row: _Row) -> None:
        unit_written = None
        if "quantity" in row.values:
            try:
                row.item["quantity"], unit_written = parse_quantity(
                    row.values["quantity"], self.mapping
                )
            except Problem as p:
                self._error(row, "quantity", p.kind, p.message)
        if "unit" in row.values:
            text = cell_text(row.values["unit"])
            unit = self.mapping.units.get(text)
            if unit is None:
                self._error(row, "unit", "unknown_unit", f"unknown unit '{text}'")
            row.item["unit"] = unit
        elif unit_written:
            row.item["unit"] = unit_written

    def _read_weights(self, row: _Row) -> None:
        for name, key in (("net_weight", "net_weight_g"), ("gross_weight", "gross_weight_g")):
            if name in row.values:
                unit = self.table.header_units.get(self.columns[name])
                try:
                    row.item[key] = parse_weight_g(row.values[name], unit, self.mapping)
                except Problem as p:
                    self._error(row, name, p.kind, p.message)
        if "volume_l" in row.values:
            value = row.values["volume_l"]
            try:
                number = (
                    float(value)
                    if isinstance(value, int | float)
                    else parse_decimal(
                        cell_text(value).lower().removesuffix("lít").removesuffix("l").strip()
                    )
                )
                if number <= 0:
                    raise Problem("bad_number", "volume must be more than 0")
                row.item["volume_l"] = number
            except Problem as p:
                self._error(row, "volume_l", p.kind, p.message)

    def _read_category(self, row: _Row) -> None:
        if "category" not in row.values:
            return
        text = cell_text(row.values["category"])
        category = self.mapping.categories.get(text)
        if category is None:
            self._error(
                row,
                "category",
                "unknown_category",
                f"unknown category '{text}' (known: ma túy, pháo, hóa chất, vũ khí, "
                "phương tiện, tiền, giấy tờ, khác; more in the mapping)",
            )
            return
        row.item["category"] = category

    def _read_synonym(self, row: _Row, name: str, synonyms: Any, kind: str) -> None:
        if name in row.values:
            text = cell_text(row.values[name])
            value = synonyms.get(text)
            if value is None:
                self._error(row, name, kind, f"unknown value '{text}'")
            row.item[name] = value

    # -- against the database --------------------------------------------------------------

    def _load_cases(self, judgments: set[Any]) -> None:
        wanted = [cell_text(j) for j in judgments if cell_text(j) not in self.cases]
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            found = self.session.exec(
                select(Case).where(
                    col(Case.judgment_number).in_(part), col(Case.agency_id).in_(self.scope)
                )
            ).all()
            for judgment in part:
                self.cases[judgment] = []
            for case in found:
                self.cases[case.judgment_number].append(case)  # type: ignore[attr-defined]

    def _resolve(self, row: _Row) -> None:
        if "location_code" in row.values:
            code = cell_text(row.values["location_code"]).upper().replace(" ", "")
            found = self.locations.get(code)
            if found is None:
                self._error(
                    row,
                    "location_code",
                    "unknown_location",
                    f"no location '{code}' in your warehouses",
                )
            else:
                row.location, row.agency_id = found
                row.item["location_code"] = code
        judgment = cell_text(row.values.get("judgment_number", ""))
        if judgment:
            self._resolve_case(row, judgment)
        if row.agency_id is None:
            row.agency_id = self.actor.agency_id
        if row.ref is None and not row.errors:
            # Identical rows without a ledger number are distinct items (two equal packets):
            # the n-th copy gets the n-th reference, so a re-import finds each again.
            self.fingerprints[row.fingerprint] += 1
            row.ref = f"#{row.fingerprint}-{self.fingerprints[row.fingerprint]}"
        elif row.ref is not None:
            first = self.refs.setdefault(row.ref, row.number)
            if first != row.number:
                self._error(
                    row,
                    "external_ref",
                    "duplicate",
                    f"ledger number {row.ref} is also on row {first}",
                )

    def _resolve_case(self, row: _Row, judgment: str) -> None:
        matches = self.cases.get(judgment, [])
        if len(matches) == 1:
            row.case_id = matches[0].id
            if row.location is None:
                row.agency_id = matches[0].agency_id
            return
        if len(matches) > 1:
            self._error(
                row,
                "judgment_number",
                "ambiguous_case",
                f"several cases have judgment number '{judgment}'",
            )
            return
        new = self._new_case(row, judgment)
        if new is None:
            return
        known = self.new_cases.get(judgment)
        if known is None:
            self.new_cases[judgment] = (new, row.number)
        elif (known[0].court, known[0].decision_number) != (new.court, new.decision_number) and (
            "court" in row.values or "decision_number" in row.values
        ):
            self._error(
                row,
                "judgment_number",
                "case_conflict",
                f"judgment '{judgment}' has another court or decision on row {known[1]}",
            )
            return
        row.new_case = judgment

    def _new_case(self, row: _Row, judgment: str) -> CaseCreate | None:
        known = self.new_cases.get(judgment)
        values = row.values
        if "court" not in values or "decision_number" not in values:
            if known is not None:
                return known[0]
            self._error(
                row,
                "judgment_number",
                "unknown_case",
                f"no case has judgment number '{judgment}'; create the case first, or "
                f"give '{self._header('court')}' and '{self._header('decision_number')}'"
                " so the import creates it",
            )
            return None
        if not self.may_create_cases:
            self._error(
                row,
                "judgment_number",
                "unknown_case",
                f"no case has judgment number '{judgment}' and you may not create cases",
            )
            return None
        number = cell_text(values["decision_number"])
        year = None
        decided: date | None = None
        if "decision_date" in values:
            try:
                decided = parse_date(values["decision_date"], self.today)
                year = decided.year
            except Problem as p:
                self._error(row, "decision_date", p.kind, p.message)
                return None
        elif m := _YEAR_IN_NUMBER.search(number):
            year = int(m.group(1))
        if year is None:
            self._error(
                row,
                "decision_number",
                "unknown_case",
                f"cannot tell the year of decision '{number}': add "
                f"'{self._header('decision_date')}'",
            )
            return None
        received = row.item.get("received_at")
        since = decided or (received.date() if received else self.today)
        try:
            case = CaseCreate(
                judgment_number=judgment,
                court=cell_text(values["court"]),
                decision_issuer=cell_text(values.get("decision_issuer", "")) or self.issuer,
                decision_year=year,
                decision_number=number,
                legal_regime=(
                    LegalRegime.before_2026_07_01
                    if since < REGIME_CHANGE
                    else LegalRegime.from_2026_07_01
                ),
                disposition=row.item.get("disposition") or "pending",
            )
        except ValidationError as exc:
            where = {
                "judgment_number": "judgment_number",
                "decision_number": "decision_number",
                "court": "court",
                "decision_issuer": "decision_issuer",
            }
            for e in exc.errors():
                name = where.get(str(e["loc"][0]) if e["loc"] else "", "judgment_number")
                hint = f" (like {JUDGMENT_PATTERN})" if name == "judgment_number" else ""
                self._error(row, name, "unknown_case", f"cannot create the case: {e['msg']}{hint}")
            return None
        if known is None:
            clash = self.session.exec(
                select(Case.judgment_number).where(
                    Case.decision_issuer == case.decision_issuer,
                    Case.decision_year == case.decision_year,
                    Case.decision_number == case.decision_number,
                )
            ).first()
            if clash is not None:
                self._error(
                    row,
                    "decision_number",
                    "case_conflict",
                    f"decision {number}/{year} is already recorded for judgment '{clash}'",
                )
                return None
        return case

    def _header(self, name: str) -> str:
        index = self.columns.get(name)
        return self.table.headers[index] if index is not None else self.mapping.header(name)

    def _existing_refs(self, rows: list[_Row]) -> dict[tuple[int, str], tuple[str, str]]:
        refs = [r.ref for r in rows if r.ref and not r.errors]
        found: dict[tuple[int, str], tuple[str, str]] = {}
        table = Item.__table__.c  # type: ignore[attr-defined]
        for start in range(0, len(refs), 1000):
            query = sa_select(table.agency_id, table.external_ref, table.code, table.description)
            query = query.where(
                table.external_ref.in_(refs[start : start + 1000]),
                table.agency_id.in_(self.scope),
            )
            for agency_id, ref, code, description in self.session.execute(query).all():
                found[(agency_id, ref)] = (code, description)
        return found

    # -- the item --------------------------------------------------------------------------

    def _item(self, row: _Row) -> ItemCreate | None:
        item = dict(row.item)
        category = item.get("category")
        if "hazard_classes" not in item and category:
            item["hazard_classes"] = list(self.mapping.category_hazard_classes.get(category, []))
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
                self._error(
                    row, ITEM_FIELDS.get(name), "invalid", e["msg"].removeprefix("Value error, ")
                )
            return None
        if row.location is not None:
            for refusal in check_location_accepts(
                self.hazards,
                data.hazard_classes,
                list(row.location.allowed_hazard_classes),
                row.location.secure,
            ):
                self._error(
                    row,
                    "location_code",
                    "location_refuses",
                    f"{row.location.code}: {refusal.message}",
                )
        return data

    def _capacity(self, row: _Row, data: ItemCreate) -> None:
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
                    self._error(
                        row,
                        "location_code",
                        "capacity_exceeded",
                        f"location {loc.code} would exceed {label}: used "
                        f"{current + arriving[n]:g} (with earlier rows), limit "
                        f"{limit:g}, this row {adds[n]:g}",
                    )
                    return
        for i in ids:
            if i in self.usage:
                for n in range(3):
                    self.arriving[i][n] += adds[n]
