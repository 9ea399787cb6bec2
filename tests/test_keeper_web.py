"""The keeper's loop seen from the server: answers the pages' scripts rely on."""

from evidence_service.i18n import Translator
from evidence_service.web.pages.dashboard import counted, period_words


def test_periods_read_as_words_in_both_languages():
    vi, en = Translator("vi"), Translator("en")
    assert period_words(vi, "2026-12") == "tháng 12/2026"
    assert period_words(vi, "2026-H2") == "6 tháng cuối năm 2026"
    assert period_words(vi, "2026-H1") == "6 tháng đầu năm 2026"
    assert period_words(vi, "2026-Q3") == "quý 3/2026"
    assert period_words(en, "2026-12") == "December 2026"
    assert period_words(en, "2026-H2") == "second half of 2026"


def test_english_counts_take_the_singular_for_one():
    en, vi = Translator("en"), Translator("vi")
    assert counted(en, "n_items", 1) == "1 item"
    assert counted(en, "n_items", 2) == "2 items"
    assert counted(vi, "n_items", 1) == "1 vật chứng"
