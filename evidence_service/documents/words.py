"""Dates and times as an official document writes them, in the offices' local time.

Vietnamese administrative style (Decree 30/2020/NĐ-CP, Appendix I: days below 10 and months
below 3 take a leading zero): "ngày 01 tháng 12 năm 2026", "ngày 05 tháng 02 năm 2026",
"ngày 15 tháng 3 năm 2026"; a moment reads "Hồi 15 giờ 37 phút, ngày 01 tháng 12 năm 2026".
The words are the ``docs_words`` keys of the translation files; the time zone is the
formatter's (:func:`..i18n.formatting.local_time`).
"""

from datetime import date, datetime

from ..i18n import Translator
from ..i18n.formatting import local_time


def date_words(t: Translator, day: date | datetime) -> str:
    """``ngày 01 tháng 12 năm 2026`` / ``01 December 2026`` (the months: ``docs_words``)."""
    if isinstance(day, datetime):
        day = local_time(day).date()
    return t(
        "docs_words.date",
        day=f"{day.day:02d}",
        month_name=t(f"docs_words.month_{day.month}"),
        year=day.year,
    )


def clock_words(t: Translator, moment: datetime) -> str:
    """``15 giờ 37 phút`` / ``15:37``, local time."""
    local = local_time(moment)
    return t("docs_words.clock", hour=f"{local.hour:02d}", minute=f"{local.minute:02d}")


def moment_words(t: Translator, moment: datetime, mid_sentence: bool = False) -> str:
    """``Hồi 15 giờ 37 phút, ngày 01 tháng 12 năm 2026`` (local time); ``mid_sentence``:
    ``hồi 15 giờ …`` (after "kết thúc")."""
    text = t("docs_words.moment", clock=clock_words(t, moment), date=date_words(t, moment))
    return text[:1].lower() + text[1:] if mid_sentence else text


def place_date(t: Translator, place: str, day: date | datetime) -> str:
    """``Lạng Sơn, ngày 01 tháng 12 năm 2026`` (the line under the national header)."""
    return t("docs_words.place_date", place=place, date=date_words(t, day))


def copies_words(t: Translator, copies: int) -> str:
    """``04 bản`` / ``4 copies``: the count written as official documents write it."""
    return t("docs_words.copies", n=f"{copies:02d}")
