"""Reading one ledger row's cells into item values, checking each value on its own (numbers,
units, dates, categories, synonyms, hazard classes); nothing here looks at other rows or at
the database."""

import hashlib
import re
import unicodedata
from datetime import date
from typing import Any

from ..items import Person
from ..locations.hazards import HazardTable, UnknownHazardClass
from .checked import Note, ParsedRow, Sheet
from .mapping import norm
from .reader import Formula, cell_text
from .values import Problem, parse_date, parse_decimal, parse_quantity, parse_weight_g
from .values import start_of_day_utc as day_start


class RowReader:
    def __init__(self, sheet: Sheet, hazards: HazardTable, today: date) -> None:
        self.sheet = sheet
        self.mapping = sheet.mapping
        self.hazards = hazards
        self.today = today

    def read(self, number: int, cells: list[Any]) -> ParsedRow | None:
        """The row's values and their errors, or None for an empty line."""
        values: dict[str, Any] = {}
        for name, index in self.sheet.columns.items():
            value = cells[index] if index < len(cells) else None
            if isinstance(value, str) and not isinstance(value, Formula):
                value = unicodedata.normalize("NFC", value).strip()
            if value is not None and value != "":
                values[name] = value
        if not any(k != "external_ref" for k in values):
            return None  # an empty line (perhaps numbered in advance)
        row = ParsedRow(number, cells, values, [])
        for name, value in values.items():
            if isinstance(value, Formula):
                self.sheet.error(
                    row,
                    name,
                    "formula",
                    f"the cell holds a formula ({value[:40]}) and the file keeps no value "
                    "computed for it (saved by a program other than Excel?); open it in "
                    "Excel and save it again, or 'Paste special → Values'",
                    "imports15_rows.formula",
                    {"formula": value[:40]},
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
                self.sheet.error(row, "received_at", p.kind, p.message, p.key, p.params)
        if "hazard_classes" in values:
            parts = re.split(r"[;,]\s*|\s+và\s+", cell_text(values["hazard_classes"]))
            try:
                item["hazard_classes"] = self.hazards.normalise_all([p for p in parts if p])
            except UnknownHazardClass as exc:
                self.sheet.error(
                    row,
                    "hazard_classes",
                    "unknown_hazard_class",
                    str(exc),
                    "imports15_rows.unknown_hazard_class",
                    {"text": exc.value, "known": ", ".join(exc.known)},
                )
        if "external_ref" in values:
            row.ref = cell_text(values["external_ref"])
            if len(row.ref) > 100:
                self.sheet.error(
                    row,
                    "external_ref",
                    "too_long",
                    "ledger number over 100 characters",
                    "imports15_rows.number_too_long",
                    {"max": 100},
                )
        else:
            row.fingerprint = fingerprint(row)
            # How rows without STT were known before (every value): found again, not doubled.
            parts = [f"{n}={norm(cell_text(values[n]))}" for n in sorted(values)]
            row.old_fingerprint = hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]
        for name in self.mapping.required:
            if name not in values and not (name == "unit" and item.get("unit")):
                header = self.sheet.header(name)
                self.sheet.error(
                    row,
                    name,
                    "missing_value",
                    f"'{header}' is empty",
                    "imports15_rows.empty",
                    {"header": header},
                )
        return row

    def _text(self, row: ParsedRow, name: str, item: dict[str, Any]) -> None:
        if name in row.values:
            item[name] = cell_text(row.values[name])

    def _read_quantity(self, row: ParsedRow) -> None:
        unit_written = None
        if "quantity" in row.values:
            try:
                row.item["quantity"], unit_written = parse_quantity(
                    row.values["quantity"], self.mapping
                )
            except Problem as p:
                self.sheet.error(row, "quantity", p.kind, p.message, p.key, p.params)
        if "unit" in row.values:
            text = cell_text(row.values["unit"])
            unit = self.mapping.units.get(text)
            if unit is None:
                self.sheet.error(
                    row,
                    "unit",
                    "unknown_unit",
                    f"unknown unit '{text}'",
                    "imports15_rows.unknown_unit",
                    {"text": text},
                )
            row.item["unit"] = unit
        elif unit_written:
            row.item["unit"] = unit_written

    def _read_weights(self, row: ParsedRow) -> None:
        for name, key in (("net_weight", "net_weight_g"), ("gross_weight", "gross_weight_g")):
            if name in row.values:
                unit = self.sheet.table.header_units.get(self.sheet.columns[name])
                unit = unit or self.mapping.column_units.get(name)
                try:
                    row.item[key], assumed = parse_weight_g(row.values[name], unit, self.mapping)
                except Problem as p:
                    self.sheet.error(row, name, p.kind, p.message, p.key, p.params)
                    continue
                if assumed:
                    header, text = self.sheet.header(name), cell_text(row.values[name])
                    row.warnings.append(
                        Note(
                            f"{header}: '{text}' has no unit, read as {assumed} (write the "
                            "unit, or set the weight unit of the column or the file)",
                            "imports15_rows.weight_unit_assumed",
                            {"header": header, "text": text, "unit": assumed},
                        )
                    )
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
                    raise Problem(
                        "bad_number",
                        "volume must be more than 0",
                        "imports15_rows.volume_not_positive",
                    )
                row.item["volume_l"] = number
            except Problem as p:
                self.sheet.error(row, "volume_l", p.kind, p.message, p.key, p.params)

    def _read_category(self, row: ParsedRow) -> None:
        if "category" not in row.values:
            if self.mapping.category is not None:
                row.item["category"], row.category_source = self.mapping.category, "file"
                return
            found = self.mapping.category_keywords.find(cell_text(row.values.get("description")))
            if found is None and self.mapping.fallback_category:
                row.item["category"], row.category_source = (
                    self.mapping.fallback_category,
                    "default",
                )
                fallback = self.mapping.fallback_category
                row.warnings.append(
                    Note(
                        f"the description names no known kind: category '{fallback}' "
                        "(add a 'Loại' column to say otherwise)",
                        "imports15_rows.category_fallback",
                        {"category": fallback},
                    )
                )
                return
            if found is None:
                self.sheet.error(
                    row,
                    "description",
                    "unknown_category",
                    "no category column, and the description names none of the known "
                    "kinds; add a 'Loại' column or give the category for the whole file",
                    "imports15_rows.no_category",
                )
                return
            row.item["category"], row.category_source = found, "inferred"
            return
        text = cell_text(row.values["category"])
        category = self.mapping.categories.get(text)
        if category is None:
            self.sheet.error(
                row,
                "category",
                "unknown_category",
                f"unknown category '{text}' (known: ma túy, pháo, hóa chất, vũ khí, "
                "phương tiện, tiền, giấy tờ, khác; more in the mapping)",
                "imports15_rows.unknown_category",
                {"text": text},
            )
            return
        row.item["category"] = category

    def _read_synonym(self, row: ParsedRow, name: str, synonyms: Any, kind: str) -> None:
        if name in row.values:
            text = cell_text(row.values[name])
            value = synonyms.get(text)
            if value is None:
                self.sheet.error(
                    row,
                    name,
                    kind,
                    f"unknown value '{text}'",
                    "imports15_rows.unknown_value",
                    {"text": text},
                )
            row.item[name] = value


def fingerprint(row: ParsedRow) -> str:
    """A row without a ledger number, known again by its case, description, quantity and
    weight as read (so a changed column order or a new notes column changes nothing)."""
    parts = [
        norm(cell_text(row.values.get("judgment_number"))),
        norm(cell_text(row.values.get("description"))),
        f"{row.item.get('quantity', '')}",
        f"{row.item.get('net_weight_g', '')}",
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:20]
