"""Destruction methods as data (``data/destruction_methods.toml``) and the check of the
structured fields each one needs, plus the environmental fields recorded for every method."""

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import Invalid

METHODS_PATH = Path(__file__).resolve().parent.parent / "data" / "destruction_methods.toml"
FIELD_TYPES = frozenset({"text", "number", "integer", "boolean"})


@dataclass(frozen=True)
class MethodField:
    name: str
    label_vi: str
    label_en: str
    type: str
    unit: str = ""
    unit_vi: str = ""  # the unit as Vietnamese writes it, where that differs ("phút" for min)
    required: bool = True
    min: float | None = None
    max: float | None = None

    def label(self, lang: str) -> str:
        text = self.label_en if lang == "en" else self.label_vi
        unit = self.unit if lang == "en" else self.unit_vi or self.unit
        return f"{text} ({unit})" if unit else text


@dataclass(frozen=True)
class Method:
    id: str
    name_vi: str
    name_en: str
    environmental_risk: bool
    fields: tuple[MethodField, ...]
    risk_cleared_by: str | None = None
    categories: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi

    def is_risky(self, details: dict[str, Any]) -> bool:
        """Risky unless the field that clears the risk (e.g. a permit number) was given."""
        if not self.environmental_risk:
            return False
        return not (self.risk_cleared_by and details.get(self.risk_cleared_by))


@dataclass(frozen=True)
class MethodTable:
    methods: dict[str, Method]
    common_fields: tuple[MethodField, ...]

    def get(self, method_id: str) -> Method:
        method = self.methods.get(method_id)
        if method is None:
            known = ", ".join(sorted(self.methods))
            raise Invalid(
                "method",
                f"unknown method '{method_id}' (known: {known})",
                method_id,
                key="docs15_refusal.unknown_method",
                params={"method": method_id},
            )
        return method


def _field(raw: dict[str, Any], where: str) -> MethodField:
    field = MethodField(
        name=raw["name"],
        label_vi=raw["label_vi"],
        label_en=raw["label_en"],
        type=raw["type"],
        unit=raw.get("unit", ""),
        unit_vi=raw.get("unit_vi", ""),
        required=raw.get("required", True),
        min=raw.get("min"),
        max=raw.get("max"),
    )
    if field.type not in FIELD_TYPES:
        raise ValueError(f"{where}: field '{field.name}' has unknown type '{field.type}'")
    return field


def parse_methods(data: dict[str, Any]) -> MethodTable:
    methods = {}
    for raw in data["methods"]:
        fields = tuple(_field(f, raw["id"]) for f in raw.get("fields", []))
        cleared = raw.get("risk_cleared_by")
        if cleared and cleared not in {f.name for f in fields}:
            raise ValueError(f"{raw['id']}: risk_cleared_by names no field ('{cleared}')")
        if raw["id"] in methods:
            raise ValueError(f"method '{raw['id']}' is defined twice")
        methods[raw["id"]] = Method(
            id=raw["id"],
            name_vi=raw["name_vi"],
            name_en=raw["name_en"],
            environmental_risk=bool(raw.get("environmental_risk", False)),
            fields=fields,
            risk_cleared_by=cleared,
            categories=tuple(raw.get("categories", [])),
        )
    common = tuple(_field(f, "common_fields") for f in data.get("common_fields", []))
    return MethodTable(methods, common)


@lru_cache(maxsize=1)
def load_methods() -> MethodTable:
    return parse_methods(tomllib.loads(METHODS_PATH.read_text(encoding="utf-8")))


def _named(field: MethodField, **values: Any) -> dict[str, Any]:
    """A refusal's params: the field's label in both languages, as the reader reads it."""
    return {"field": {"vi": field.label("vi"), "en": field.label("en")}, **values}


def _check_value(field: MethodField, value: Any, loc: str) -> Any:
    if field.type == "text":
        if not isinstance(value, str):
            raise Invalid(
                loc, "must be text", value, key="keysa_destruction.text", params=_named(field)
            )
        return value.strip()
    if field.type == "boolean":
        if not isinstance(value, bool):
            raise Invalid(
                loc,
                "must be true or false",
                value,
                key="keysa_destruction.yes_no",
                params=_named(field),
            )
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Invalid(
            loc,
            f"must be a number{f' ({field.unit})' if field.unit else ''}",
            value,
            key="keysa_destruction.number",
            params=_named(field),
        )
    if field.type == "integer" and value != int(value):
        raise Invalid(
            loc,
            "must be a whole number",
            value,
            key="keysa_destruction.whole_number",
            params=_named(field),
        )
    if field.min is not None and value < field.min:
        raise Invalid(
            loc,
            f"must be at least {field.min:g} {field.unit}".rstrip(),
            value,
            key="keysa_destruction.at_least",
            params=_named(field, min=float(field.min)),
        )
    if field.max is not None and value > field.max:
        raise Invalid(
            loc,
            f"must be at most {field.max:g} {field.unit}".rstrip(),
            value,
            key="keysa_destruction.at_most",
            params=_named(field, max=float(field.max)),
        )
    return value


def check_fields(
    fields: tuple[MethodField, ...], values: dict[str, Any], where: str
) -> dict[str, Any]:
    """The values checked against the fields: all required ones given, none unknown."""
    known = {f.name: f for f in fields}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise Invalid(
            f"{where}.{unknown[0]}",
            f"unknown field (expected: {', '.join(known) or 'none'})",
            values[unknown[0]],
            key="keysa_destruction.unknown_field",
            params={"name": unknown[0], "known": ", ".join(known) or "—"},
        )
    checked: dict[str, Any] = {}
    for field in fields:
        value = values.get(field.name)
        if value is None or value == "":
            if field.required:
                raise Invalid(
                    f"{where}.{field.name}",
                    f"required: {field.label_en}",
                    key="keysa_destruction.required",
                    params=_named(field),
                )
            continue
        checked[field.name] = _check_value(field, value, f"{where}.{field.name}")
        if field.required and checked[field.name] == "":
            raise Invalid(
                f"{where}.{field.name}",
                f"required: {field.label_en}",
                key="keysa_destruction.required",
                params=_named(field),
            )
    return checked
