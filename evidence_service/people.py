"""People named in records (council members, stocktake signers) are people, not strings:
the same person written with other case, spacing or Unicode composition is the same person,
and a blank name is nobody."""

import unicodedata
from collections.abc import Sequence

from .errors import Invalid


def person_key(name: str) -> str:
    """The name as compared: Unicode NFC, case folded, runs of whitespace as one space."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def clean_name(name: str) -> str:
    """The name as recorded: NFC, whitespace folded (case kept)."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def require_distinct(names: Sequence[str], field: str) -> None:
    """Refuse (422) blank names and the same person named twice."""
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        key = person_key(name)
        if not key:
            raise Invalid(
                f"{field}.{index}",
                "a name is required: blank names are nobody",
                key="keysb_people.blank",
            )
        if key in seen:
            raise Invalid(
                f"{field}.{index}",
                f"'{clean_name(name)}' is already named (as #{seen[key] + 1}): each role must be "
                "a different person",
                key="keysb_people.twice",
                params={"name": clean_name(name), "position": seen[key] + 1},
            )
        seen[key] = index
