"""Label templates: TOML files in ``labels/`` (or ``Settings.labels_dir``), validated."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

PAGE_SIZES_MM = {"A4": (210.0, 297.0)}
FIELD_NAMES = ("code", "title", "lines", "hazard")


class TemplateError(ValueError):
    """A template file is missing, malformed or inconsistent."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Title(_Strict):
    vi: str
    en: str


class FontSizes(_Strict):
    code: float = Field(gt=0)
    title: float = Field(gt=0)
    lines: float = Field(gt=0)


class Section(_Strict):
    """Layout of one label kind (item or location) on a template."""

    qr_size_mm: float = Field(gt=0)
    qr_x_mm: float = Field(ge=0)
    qr_y_mm: float = Field(ge=0)
    fields: list[Literal["code", "title", "lines", "hazard"]]
    font_pt: FontSizes
    min_font_pt: float = Field(gt=0)
    hazard_size_mm: float = Field(gt=0)


class Sheet(_Strict):
    page: Literal["A4"] = "A4"
    columns: int = Field(ge=1)
    rows: int = Field(ge=1)
    top_mm: float = Field(ge=0)
    left_mm: float = Field(ge=0)
    pitch_x_mm: float = Field(gt=0)
    pitch_y_mm: float = Field(gt=0)

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
    quiet_zone_modules: int = Field(ge=0, le=4)
    error_correction: Literal["L", "M", "Q", "H"] = "M"
    zpl_font: str = "0"
    item: Section
    location: Section
    sheet: Sheet | None = None

    @model_validator(mode="after")
    def _consistent(self) -> LabelTemplate:
        if (self.kind == "sheet") != (self.sheet is not None):
            raise ValueError("a [sheet] section is required for kind 'sheet' and only for it")
        for kind in ("item", "location"):
            s = self.section(kind)
            if (
                s.qr_x_mm + s.qr_size_mm > self.width_mm + 1e-6
                or s.qr_y_mm + s.qr_size_mm > self.height_mm + 1e-6
            ):
                raise ValueError(f"[{kind}] QR box does not fit in the label")
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


def default_labels_dir() -> Path:
    """``EVIDENCE_LABELS_DIR`` (set in the Docker image, where the package is installed away
    from the checkout), else the repository's top-level ``labels/``."""
    configured = os.environ.get("EVIDENCE_LABELS_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / "labels"


def load_template(path: Path) -> LabelTemplate:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        template = LabelTemplate.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as exc:
        raise TemplateError(f"label template {path}: {exc}") from exc
    if template.name != path.stem:
        raise TemplateError(f"label template {path}: name {template.name!r} != file name")
    return template


def load_templates(directory: Path | str | None = None) -> dict[str, LabelTemplate]:
    """Every ``*.toml`` in ``directory`` (default: the repository's ``labels/``), by name."""
    root = Path(directory) if directory is not None else default_labels_dir()
    templates = {p.stem: load_template(p) for p in sorted(root.glob("*.toml"))}
    if not templates:
        raise TemplateError(f"no label templates in {root}")
    return templates
