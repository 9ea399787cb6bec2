"""Vietnamese labels shared by the exports, and the ledger's period arithmetic."""

import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from ..errors import Invalid
from ..imports.mapping import load_mapping

VIETNAM = timezone(timedelta(hours=7))
STATUS_VI = {
    "received": "Đã tiếp nhận, chưa xếp vị trí",
    "stored": "Đang lưu kho",
    "checked_out": "Đang trích xuất",
    "pending_destruction": "Chờ tiêu hủy",
    "destroyed": "Đã tiêu hủy",
    "released": "Đã xử lý, trả lại",
    "transferred": "Đã chuyển giao",
}
SEAL_VI = {
    "intact": "niêm phong còn nguyên",
    "broken": "niêm phong bị rách",
    "unsealed": "không niêm phong",
}
DISPOSITION_VI = {
    "destroy": "Tiêu hủy",
    "confiscate": "Tịch thu",
    "return_to_owner": "Trả lại chủ sở hữu",
    "sell": "Bán đấu giá",
    "keep_with_file": "Lưu hồ sơ",
    "pending": "Chưa có quyết định",
}


def _first_alias(table: dict[str, str], value: str) -> str:
    for word, found in table.items():
        if found == value and word != value:
            return word
    return value


def category_vi(category: str) -> str:
    word = _first_alias(load_mapping().categories.exact, category)
    return word[:1].upper() + word[1:]


def unit_vi(unit: str) -> str:
    return _first_alias(load_mapping().units.exact, unit)


def local_day(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), VIETNAM).astimezone(UTC)


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


def period_vi(label: str) -> str:
    if label.endswith("-H1"):
        return f"6 tháng đầu năm {label[:4]}"
    if label.endswith("-H2"):
        return f"6 tháng cuối năm {label[:4]}"
    return f"năm {label}"
