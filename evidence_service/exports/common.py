"""The ledger's and the summary's period arithmetic: days in local time, years and halves."""

import re
from datetime import date

from ..errors import Invalid
from ..i18n import Translator, day_start, local_day

__all__ = ["day_start", "local_day", "parse_period", "period_label", "previous_period"]

_PERIOD = re.compile(r"^(\d{4})(?:-H([12]))?$")


def parse_period(text: str) -> tuple[str, date, date]:
    """'2026-H1' → first half of 2026; '2026' → the year: (label, first day, day after)."""
    m = _PERIOD.match(text.strip())
    if m is None:
        raise Invalid(
            "period",
            "a period is a year (2026) or a half year (2026-H1, 2026-H2)",
            text,
            where="query",
        )
    year = int(m.group(1))
    if m.group(2) == "1":
        return f"{year}-H1", date(year, 1, 1), date(year, 7, 1)
    if m.group(2) == "2":
        return f"{year}-H2", date(year, 7, 1), date(year + 1, 1, 1)
    return str(year), date(year, 1, 1), date(year + 1, 1, 1)


def previous_period(label: str) -> str:
    if label.endswith("-H2"):
        return label[:4] + "-H1"
    if label.endswith("-H1"):
        return f"{int(label[:4]) - 1}-H2"
    return str(int(label) - 1)


def period_label(label: str, t: Translator) -> str:
    """'2026-H1' → '6 tháng đầu năm 2026' (vi), 'first half of 2026' (en)."""
    if label.endswith(("-H1", "-H2")):
        return t(f"period.{label[-2:].lower()}", year=label[:4])
    return t("period.year", year=label)
