"""Which dispositions an item may receive: the table in ``data/disposition_rules.toml``, by
category and by the segregation group of each hazard class (all that apply must allow it).
The disposition change asks :func:`allowed_dispositions`; so do the pages that offer it."""

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from ..errors import Invalid
from ..locations import load_hazard_table
from ..models import Disposition, Item

ALWAYS = frozenset({Disposition.pending})


@dataclass(frozen=True)
class DispositionRule:
    allowed: frozenset[Disposition]
    source: str
    to_be_confirmed: str = ""


@dataclass(frozen=True)
class DispositionRules:
    by_category: dict[str, DispositionRule]
    by_hazard_group: dict[str, DispositionRule]


@cache
def rules() -> DispositionRules:
    text = (files("evidence_service") / "data" / "disposition_rules.toml").read_text("utf-8")
    data = tomllib.loads(text)

    def read(section: str) -> dict[str, DispositionRule]:
        return {
            key: DispositionRule(
                frozenset(Disposition(d) for d in entry["allowed"]),
                entry["source"],
                entry.get("to_be_confirmed", ""),
            )
            for key, entry in data.get(section, {}).items()
        }

    return DispositionRules(read("category"), read("hazard_group"))


def applying_rules(category: str, hazard_classes: list[str]) -> list[DispositionRule]:
    table = load_hazard_table()
    found = [rules().by_category[category]] if category in rules().by_category else []
    for cls in hazard_classes:
        try:
            group = table.group_of(cls)
        except (KeyError, ValueError):
            continue
        if group in rules().by_hazard_group:
            found.append(rules().by_hazard_group[group])
    return found


def allowed_dispositions(category: str, hazard_classes: list[str]) -> list[Disposition]:
    allowed = set(Disposition)
    for rule in applying_rules(category, hazard_classes):
        allowed &= rule.allowed | ALWAYS
    return [d for d in Disposition if d in allowed]


def check_disposition(item: Item, disposition: Disposition) -> None:
    """Refuse (422) a disposition the law does not allow for this kind of item."""
    allowed = allowed_dispositions(item.category, list(item.hazard_classes))
    if disposition not in allowed:
        sources = "; ".join(r.source for r in applying_rules(item.category, item.hazard_classes))
        raise Invalid(
            "disposition",
            f"item {item.code} ({item.category}) may only be given "
            f"{', '.join(allowed)}, not '{disposition}' ({sources})",
            disposition.value,
            key="keysa_items.disposition_not_allowed",
            params={"code": item.code, "category": item.category, "disposition": disposition},
        )
