"""The hazard classes an intake starts with for each category (data/category_hazards.toml),
and the classes a keeper may pick, with their names: the intake form's hazard picker."""

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .locations import load_hazard_table
from .models import Category

DEFAULTS_FILE = Path(__file__).resolve().parent / "data" / "category_hazards.toml"


@dataclass(frozen=True)
class HazardChoice:
    id: str
    name_vi: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_vi if lang == "vi" else self.name_en


@functools.cache
def hazard_choices() -> tuple[HazardChoice, ...]:
    """Every class of the segregation table, in its order."""
    return tuple(HazardChoice(c.id, c.name_vi, c.name_en) for c in load_hazard_table().classes)


def hazard_name(cls: str, lang: str) -> str:
    """A class's name in ``lang`` (the code itself if the table does not know it)."""
    try:
        found = load_hazard_table().get(cls)
    except ValueError:
        return cls
    return found.name_vi if lang == "vi" else found.name_en


@functools.cache
def category_defaults(path: Path = DEFAULTS_FILE) -> dict[str, list[str]]:
    """``{category: [class, ...]}``; refuses a file naming an unknown category or class."""
    data = tomllib.loads(path.read_text(encoding="utf-8")).get("defaults", {})
    table = load_hazard_table()
    known = {c.value for c in Category}
    out: dict[str, list[str]] = {}
    for category, classes in data.items():
        if category not in known:
            raise ValueError(f"{path}: unknown category {category!r}")
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
            raise ValueError(f"{path}: {category} must be a list of hazard classes")
        out[category] = table.normalise_all(classes)
    return out
