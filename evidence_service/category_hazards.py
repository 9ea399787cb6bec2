"""The intake form's hazard picker: the classes a keeper may pick, with their names, and the
classes each category starts with (data/category_hazards.toml, read by items.categories)."""

import functools
from dataclasses import dataclass

from .items.categories import hazard_classes_for
from .locations import load_hazard_table
from .models import Category


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


def category_defaults() -> dict[str, list[str]]:
    """``{category: [class, ...]}``: the classes each category brings (one rule, asked of
    ``items.categories`` as intake by the API, the web and imports do)."""
    table = load_hazard_table()
    out = {}
    for category in Category:
        classes = hazard_classes_for(category.value, [])
        if classes:
            out[category.value] = table.normalise_all(classes)
    return out
