"""How an import's note or error reads (``checked.Note``: English ``message``, ``key``,
``params``): in the reader's language, numbers, weights and dates through its formatter. The
import page shows them so, and the rejects file gives them in the ledger's language."""

from datetime import date, datetime
from typing import Any

from ..category_hazards import hazard_name
from ..i18n import Translator

# A parameter named after a vocabulary section is a stored value read through it.
VOCABULARY = frozenset({"category", "unit", "disposition", "status", "seal", "kind"})


def note_text(t: Translator, note: dict[str, Any]) -> str:
    """One note or error in the reader's words.

    Reports stored before notes carried a key (jobs run before imports15) have only their
    English ``message``: it is shown as it is, the one English a Vietnamese page may show,
    and only for those old jobs (they are pruned after ``import_job_retention_days``)."""
    key = note.get("key")
    if not isinstance(key, str) or not t.has(key):
        return str(note.get("message", ""))
    params = note.get("params") or {}
    return t(key, **{name: _param(t, name, value) for name, value in params.items()})


def notes_text(t: Translator, notes: list[dict[str, Any]]) -> str:
    """A row's notes, each after its column's header: "Khối lượng: …; Vị trí kho: …"."""
    out = []
    for note in notes:
        text = note_text(t, note)
        column = note.get("column")
        out.append(t("error.field", field=column, message=text) if column else text)
    return "; ".join(out)


def _param(t: Translator, name: str, value: Any) -> Any:
    """A parameter as stored (raw, JSON) as the reader reads it: a vocabulary value in their
    words, a date from its ISO text, a hazard class by its name, a decimal number through the
    formatter, the changes of a corrected line, a nested reason."""
    if name in VOCABULARY:
        return t.maybe(f"{name}.{value}", str(value))
    if name == "date" and isinstance(value, str):
        try:
            return t.date(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, date | datetime):
        return t.datetime(value) if isinstance(value, datetime) else t.date(value)
    if name == "hazard" and isinstance(value, str):
        return hazard_name(value, t.lang)
    if name == "changes" and isinstance(value, list):
        return ", ".join(_change(t, c) for c in value if isinstance(c, dict))
    if name == "reason" and isinstance(value, dict):
        return note_text(t, value)
    if isinstance(value, float):
        return t.number(value)
    return value


def _change(t: Translator, change: dict[str, Any]) -> str:
    field = str(change.get("field", ""))
    return t(
        "imports15_rows.change",
        field=t.maybe(f"field.{field}", field),
        before=_value(t, field, change.get("before")),
        after=_value(t, field, change.get("after")),
    )


def _value(t: Translator, field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if field.endswith("_g") and isinstance(value, int | float):
        return t.weight(float(value))
    if isinstance(value, int | float):
        return t.number(float(value))
    if field in ("unit", "category"):
        return t.maybe(f"{field}.{value}", str(value))
    return f"“{value}”"
