"""Label templates: TOML files in ``labels/`` (or ``Settings.labels_dir``), validated.

A template names the fields it prints, in order, from :data:`FIELD_NAMES` (documented in
``labels/README.md``); each field has its size, how many lines it may wrap to and a floor
below which it never shrinks (6 pt at least: smaller Vietnamese marks merge on 203 dpi).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PAGE_SIZES_MM = {"A4": (210.0, 297.0)}
# The smallest text a label prints: below it the stacked marks of ẫ/ẵ/ẩ merge at 203 dpi.
MIN_TEXT_PT = 6.0
FieldName = Literal[
    "code",
    "description",
    "category",
    "seal",
    "judgment",
    "case_name",
    "agency",
    "intake_date",
    "quantity",
    "weight",
    "location",
    "title",
    "kind",
    "limits",
    "hazard",
    "secure",
    "print_number",
]
FIELD_NAMES: tuple[str, ...] = FieldName.__args__  # type: ignore[attr-defined]
# Marks that are never dropped: a template that cannot fit them is refused when loaded.
PROTECTED_FIELDS = ("secure", "hazard")


class TemplateError(ValueError):
    """A template file is missing, malformed or inconsistent."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Title(_Strict):
    vi: str
    en: str


class FieldSpec(_Strict):
    """One printed field: nominal size, lines it may wrap to, the floor it may shrink to."""

    name: FieldName
    pt: float = Field(default=7.0, ge=MIN_TEXT_PT, le=72)
    bold: bool = False
    lines: int = Field(default=1, ge=1, le=12)
    min_pt: float = Field(default=MIN_TEXT_PT, ge=MIN_TEXT_PT)

    @model_validator(mode="after")
    def _floor(self) -> FieldSpec:
        if self.min_pt > self.pt:
            raise ValueError(f"field {self.name}: min_pt {self.min_pt} > pt {self.pt}")
        return self


class Section(_Strict):
    """Layout of one label kind (item or location) on a template."""

    qr_size_mm: float = Field(gt=0)
    qr_x_mm: float = Field(ge=0)
    qr_y_mm: float = Field(ge=0)
    fields: list[FieldSpec] = Field(min_length=1)
    hazard_size_mm: float = Field(default=7.0, gt=0)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


class Sheet(_Strict):
    page: Literal["A4"] = "A4"
    columns: int = Field(ge=1)
    rows: int = Field(ge=1)
    top_mm: float = Field(ge=0)
    left_mm: float = Field(ge=0)
    pitch_x_mm: float = Field(gt=0)
    pitch_y_mm: float = Field(gt=0)
    source: str = Field(default="", description="where the geometry comes from")

    @property
    def page_mm(self) -> tuple[float, float]:
        return PAGE_SIZES_MM[self.page]

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


class LabelTemplate(_Strict):
    name: str
    title: Title
    kind: Literal["thermal", "sheet"]
    width_mm: float = Field(gt=0)
    height_mm: float = Field(gt=0)
    dpi: int = Field(ge=72, le=1200)
    margin_mm: float = Field(ge=0)
    # Wanted quiet zone; fewer (never under 2) only where modules would drop below min_module_mm.
    quiet_zone_modules: int = Field(default=4, ge=2, le=4)
    min_module_mm: float = Field(default=0.5, gt=0)
    error_correction: Literal["L", "M", "Q", "H"] = "H"
    error_correction_reason: str = ""
    item: Section
    location: Section
    sheet: Sheet | None = None

    @model_validator(mode="after")
    def _consistent(self) -> LabelTemplate:
        if (self.kind == "sheet") != (self.sheet is not None):
            raise ValueError("a [sheet] section is required for kind 'sheet' and only for it")
        if self.error_correction != "H" and not self.error_correction_reason.strip():
            raise ValueError(
                f"error_correction {self.error_correction}: level H is the default; "
                "another level needs error_correction_reason"
            )
        for kind in ("item", "location"):
            s = self.section(kind)
            if (
                s.qr_x_mm + s.qr_size_mm > self.width_mm + 1e-6
                or s.qr_y_mm + s.qr_size_mm > self.height_mm + 1e-6
            ):
                raise ValueError(f"[{kind}] QR box does not fit in the label")
            if len(set(s.names)) != len(s.names):
                raise ValueError(f"[{kind}] a field is listed twice")
            for name in ("code", *PROTECTED_FIELDS):
                if name not in s.names:
                    raise ValueError(f"[{kind}] must print the field {name!r}")
        if self.sheet is not None:
            sh = self.sheet
            page_w, page_h = sh.page_mm
            right = sh.left_mm + (sh.columns - 1) * sh.pitch_x_mm + self.width_mm
            bottom = sh.top_mm + (sh.rows - 1) * sh.pitch_y_mm + self.height_mm
            if right > page_w + 0.01 or bottom > page_h + 0.01:
                raise ValueError(f"label grid ({right:.2f}x{bottom:.2f} mm) exceeds the page")
        return self

    def section(self, kind: str) -> Section:
        if kind == "item":
            return self.item
        if kind == "location":
            return self.location
        raise ValueError(f"unknown label kind: {kind!r}")

    def printable_border_mm(self) -> float | None:
        """For a sheet: the smallest distance from the page edge to any ink (None for rolls)."""
        if self.sheet is None:
            return None
        sh = self.sheet
        page_w, page_h = sh.page_mm
        right = sh.left_mm + (sh.columns - 1) * sh.pitch_x_mm + self.width_mm
        bottom = sh.top_mm + (sh.rows - 1) * sh.pitch_y_mm + self.height_mm
        inset = min(
            self.margin_mm, *(min(s.qr_x_mm, s.qr_y_mm) for s in (self.item, self.location))
        )
        return inset + min(sh.left_mm, sh.top_mm, page_w - right, page_h - bottom)


def default_labels_dir() -> Path:
    """``EVIDENCE_LABELS_DIR`` (set in the Docker image, where the package is installed away
    from the checkout), else the repository's top-level ``labels/``."""
    configured = os.environ.get("EVIDENCE_LABELS_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "labels"
