"""What an item's category brings with it: the hazard classes it gets when it names none
(``data/category_hazards.toml``). Asked by intake, so the API, the web and imports agree."""

import tomllib
from functools import cache
from pathlib import Path

CATEGORY_HAZARDS = Path(__file__).resolve().parent.parent / "data" / "category_hazards.toml"


@cache
def _table() -> dict[str, tuple[str, ...]]:
    raw = tomllib.loads(CATEGORY_HAZARDS.read_text(encoding="utf-8"))
    return {str(k): tuple(v) for k, v in raw["category_hazard_classes"].items()}


def hazard_classes_for(category: str, given: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The item's own hazard classes, or its category's when it gives none."""
    return tuple(given) or _table().get(str(category), ())
