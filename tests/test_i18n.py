"""The one home of texts and formats: both languages hold the same keys, and the formatter
of each locale reads numbers, weights, dates and times the way its readers do."""

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from evidence_service import models
from evidence_service.i18n import formatter, messages, parse_number

vi, en = formatter("vi"), formatter("en")
PACKAGE = Path(__file__).resolve().parent.parent / "evidence_service"
# The faces that print or show text: the web, the printed records, the exports, the CSV of
# the reports, the labels. (Patterns, so they hold when a module moves into a package.)
FACES = [
    "web/**/*.py",
    "*record*.py",
    "*/record.py",
    "pdfdoc.py",
    "exports/*.py",
    "reports/*.py",
    "destruction/totals.py",
    "labels.py",
    "labels/*.py",
    "labelling/*.py",
]
# Left for now, like the domain's refusals (hazards, payload): the API's ``message_vi`` field
# of the hazard report, a sentence built beside its English twin ``message``.
API_MESSAGES = {"reports/hazard_conflicts.py"}
VIETNAMESE = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I
)


def test_both_languages_have_the_same_strings():
    vi_texts, en_texts = messages("vi"), messages("en")
    assert set(vi_texts) == set(en_texts), set(vi_texts) ^ set(en_texts)
    for key in vi_texts:  # the same placeholders, so no translation can break a page
        placeholders = set(re.findall(r"{(\w+)}", vi_texts[key]))
        assert placeholders == set(re.findall(r"{(\w+)}", en_texts[key])), key


@pytest.mark.parametrize(
    ("prefix", "values"),
    [
        ("category", models.Category),
        ("status", models.ItemStatus),
        ("disposition", models.Disposition),
        ("seal", [v for v in models.SealState if v != models.SealState.suspicious]),
        # Added by issue 15 in its own section (new keys only in new sections).
        ("handover_seal", models.SealState),
        ("kind", models.LocationKind),
        ("docs_stocktake.outcome_", models.Outcome),
        ("stocktake_record.kind_", models.StocktakeKind),
        ("destruction_record.role_", models.CouncilRole),
    ],
)
def test_every_value_a_person_reads_has_its_words(prefix, values):
    """Pages, records, exports and labels look these up by the stored value."""
    known = messages("vi")
    sep = "" if prefix.endswith("_") else "."
    assert [v.value for v in values if f"{prefix}{sep}{v.value}" not in known] == []


def test_numbers_group_thousands_with_a_dot_and_mark_decimals_with_a_comma_in_vietnamese():
    assert vi.number(1234567.5) == "1.234.567,5"
    assert en.number(1234567.5) == "1,234,567.5"
    assert vi.number(0.1255) == "0,126" and vi.number(3.0) == "3"
    assert vi.number(-0.0001) == "0" and vi.number(None) == ""
    assert vi.number(39.1, 3, fixed=True) == "39,100"


def test_weights_are_given_in_grams_and_read_in_the_unit_people_use():
    assert vi.weight(39125) == "39,125 kg" and en.weight(39125) == "39.125 kg"
    assert vi.weight(850) == "850 g" and vi.weight(12.5) == "12,5 g"
    assert vi.weight(2_400_000) == "2,4 t" and vi.weight(1_234_500_000) == "1.234,5 t"
    assert vi.weight(850, unit="kg") == "0,85 kg" and vi.weight(None) == ""


def test_quantities_percentages_and_durations():
    assert vi.quantity(1234, "piece") == "1.234 cái" and en.quantity(1.5, "l") == "1.5 litres"
    assert vi.percent(16.667) == "16,7 %" and en.percent(16.667) == "16.7 %"
    assert vi.duration(90) == "1 giờ 30 phút" and en.duration(90) == "1 h 30 min"
    assert vi.duration(45) == "45 phút" and vi.duration(120) == "2 giờ"


def test_dates_read_day_month_year_in_the_local_time_of_vietnam():
    assert vi.date(date(2026, 3, 4)) == "04/03/2026"
    assert vi.date(datetime(2026, 3, 4, 20, 0, tzinfo=UTC)) == "05/03/2026"  # 03:00 on the 5th
    assert vi.time(datetime(2026, 12, 1, 8, 37, tzinfo=UTC)) == "15:37"
    assert vi.datetime(datetime(2026, 12, 1, 8, 37, tzinfo=UTC)) == "01/12/2026 15:37"
    assert vi.datetime(datetime(2026, 12, 1, 8, 37)) == "01/12/2026 15:37"  # SQLite: naive UTC


def test_typed_numbers_accept_either_decimal_mark_but_refuse_thousands_separators():
    assert parse_number("1,5") == parse_number("1.5") == 1.5
    with pytest.raises(ValueError):
        parse_number("1.234,5")


def _strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
    ]


def test_no_sentence_a_person_reads_is_written_in_the_code_of_a_face():
    """Vietnamese text in a face's Python is a sentence that skipped the translation files."""
    files = {p for pattern in FACES for p in PACKAGE.glob(pattern)}
    files = {p for p in files if str(p.relative_to(PACKAGE)) not in API_MESSAGES}
    assert len(files) > 20  # the patterns still find the faces
    found = [
        f"{path.relative_to(PACKAGE)}:{line}: {text[:40]!r}"
        for path in sorted(files)
        for line, text in _strings(path)
        if VIETNAMESE.search(text)
    ]
    assert found == []
