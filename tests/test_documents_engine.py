"""The document engine: words, numbers taken when final, the frame of every page, tables that
split across pages, the chain head the footer prints (and ``verify --anchor`` accepts)."""

import hashlib
import threading
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text as sql
from sqlmodel import Session

from evidence_service import documents
from evidence_service.checkpoints import current_anchor
from evidence_service.documents import (
    AgencyHeader,
    Column,
    Document,
    Signer,
    agency_header,
    date_words,
    finalise,
    moment_words,
    place_date,
    place_of,
    render,
    take_number,
)
from evidence_service.i18n import translator
from evidence_service.links import Anchor
from evidence_service.models import LegalRegime
from evidence_service.verification import verify_record
from tests.docs_output import pages_text, save_pages, text
from tests.test_cli_and_durability import _cli, db_with_items  # noqa: F401 (a fixture)

HEADER = AgencyHeader(
    parent="Thi hành án dân sự tỉnh Lạng Sơn",
    name="Phòng THADS khu vực 2 - Lạng Sơn",
    place="Lạng Sơn",
)


def _doc(**overrides: object) -> Document:
    values: dict[str, object] = {
        "kind": "destruction_record",
        "lang": "vi",
        "agency": HEADER,
        "day": date(2026, 12, 1),
        "regime": LegalRegime.from_2026_07_01,
    }
    values.update(overrides)
    return Document(**values)  # type: ignore[arg-type]


def test_dates_and_times_read_as_an_official_document_writes_them():
    vi, en = translator("vi"), translator("en")
    # 08:37 UTC is 15:37 in Lạng Sơn; days below 10 and months below 3 take a zero.
    moment = datetime(2026, 12, 1, 8, 37, tzinfo=UTC)
    assert moment_words(vi, moment) == "Hồi 15 giờ 37 phút, ngày 01 tháng 12 năm 2026"
    assert moment_words(en, moment) == "At 15:37 on 01 December 2026"
    assert date_words(vi, date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert date_words(vi, date(2026, 3, 15)) == "ngày 15 tháng 3 năm 2026"
    # 20:00 UTC on 30 November is already 1 December in Viet Nam.
    late = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    assert place_date(vi, "Lạng Sơn", late) == "Lạng Sơn, ngày 01 tháng 12 năm 2026"


def test_the_place_comes_from_the_agency_or_its_parent():
    assert place_of(["Thi hành án dân sự tỉnh Lạng Sơn"]) == "Lạng Sơn"
    assert place_of(["Phòng THADS khu vực 2 - Lạng Sơn", "Thi hành án dân sự tỉnh X"]) == (
        "Lạng Sơn"
    )
    assert place_of(["Thi hành án dân sự thành phố Hà Nội"]) == "Hà Nội"
    assert place_of(["Văn phòng"]) == "Văn phòng"


def test_every_layout_loads_with_its_words():
    vi, en = translator("vi"), translator("en")
    for layout in documents.all_layouts():
        for t in (vi, en):
            assert t.has(layout.title), layout.title
            for key in layout.distribution:
                assert t.has(key), key
            for _, keys in layout.basis:
                assert all(t.has(k) for k in keys), keys


def test_the_frame_prints_headers_number_place_date_basis_and_pages():
    doc = _doc(number="07/BB-HĐTH", chain_head="EV 12 0a1b2c3d4e5f6a7b")
    pdf = render(doc, [*documents.basis(doc), *documents.copies(doc)])
    got = text(pdf)
    for expected in (
        "THI HÀNH ÁN DÂN SỰ TỈNH LẠNG SƠN",
        "PHÒNG THADS KHU VỰC 2 - LẠNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 07/BB-HĐTH",
        "Lạng Sơn, ngày 01 tháng 12 năm 2026",
        "Luật Thi hành án dân sự số 106/2025/QH15 (Điều 58)",
        "152/2026/NĐ-CP",
        "lập thành 04 bản",
        "Trang 1/1",
        "Chuỗi lưu giữ: EV 12 0a1b2c3d4e5f6a7b",
    ):
        assert expected in got, expected
    old = render(_doc(regime=LegalRegime.before_2026_07_01), documents.basis(_doc()))
    assert "Điều 33" not in text(old)  # basis of the document's own regime only
    old_doc = _doc(regime=LegalRegime.before_2026_07_01)
    assert "62/2015/NĐ-CP" in text(render(old_doc, documents.basis(old_doc)))


def test_a_draft_says_so_and_has_no_number_yet():
    pdf = render(_doc(draft=True), [])
    got = text(pdf)
    assert "Số: …/BB-HĐTH" in got and "Dự thảo" in got


def test_a_5000_character_note_splits_across_pages_and_nothing_is_lost():
    note = " ".join(f"w{n:04d}" for n in range(840))  # 5,039 characters
    assert len(note) > 5000
    doc = _doc(number="01/BB-HĐTH")
    body = [
        documents.table(
            [Column("#", 8, right=True), Column("Ghi chú", 40)],  # narrow: ~70 lines of text
            [[1, note], [2, "ngắn"]],
        ),
        *documents.signatures(doc.t, [Signer("Chủ tịch Hội đồng", "Nguyễn Văn A")]),
    ]
    pdf = render(doc, body)
    pages = pages_text(pdf)
    assert len(pages) >= 2
    assert f"Trang 1/{len(pages)}" in pages[0] and f"Trang {len(pages)}/{len(pages)}" in pages[-1]
    words = " ".join(pages).split()
    assert all(f"w{n:04d}" in words for n in range(840))
    save_pages(pdf, "engine-long-note")


def test_a_word_wider_than_its_column_is_cut_not_overflowing():
    code = "W" * 200
    pdf = render(_doc(), [documents.table([Column("Mã", 20)], [[code]])])
    assert "".join(text(pdf).split()).count("W") == 200


def test_numbers_run_per_kind_agency_and_year(session: Session, world):
    parent, child = world.agencies["parent"].id, world.agencies["child"].id
    first = take_number(session, "destruction_record", parent, 2026)
    second = take_number(session, "destruction_record", parent, 2026)
    assert (first.seq, second.seq) == (1, 2) and second.printed == "02/BB-HĐTH"
    assert take_number(session, "stocktake_record", parent, 2026).printed == "01/BB-KK"
    assert take_number(session, "destruction_record", child, 2026).seq == 1
    assert take_number(session, "destruction_record", parent, 2027).seq == 1


def test_a_final_document_keeps_its_bytes_and_their_hash(session: Session, world):
    agency_id = world.agencies["child"].id
    header = agency_header(session, agency_id)
    assert header.parent == "Cục THADS A" and header.name == "Chi cục A1"
    doc = _doc(agency=header, chain_head=current_anchor(session).printed())
    final = finalise(
        session,
        "destruction_record",
        agency_id,
        "test:1",
        lambda number: render(replace(doc, number=number.printed), []),
    )
    session.commit()
    assert final.number == "01/BB-HĐTH"
    assert final.sha256 == hashlib.sha256(final.pdf).hexdigest()
    assert "Số: 01/BB-HĐTH" in text(final.pdf)
    assert documents.stored(session, "destruction_record", "test:1") == final
    with pytest.raises(ValueError):
        finalise(session, "destruction_record", agency_id, "test:1", lambda n: b"")


def test_the_printed_chain_head_is_an_anchor_verify_accepts(session: Session, world):
    doc = _doc(chain_head=current_anchor(session).printed())
    footer = next(line for line in pages_text(render(doc, []))[0].split("Số ") if "EVG " in line)
    anchor = Anchor.parse(footer)  # the footer as copied from the page, label and all
    assert anchor.events > 0
    assert verify_record(session, anchor).ok


def test_numbers_taken_at_once_never_repeat(database, world):
    """Four writers taking numbers together (PostgreSQL: the upsert's row lock; SQLite: the
    write lock) get 40 different consecutive numbers."""
    agency_id = world.agencies["parent"].id
    taken: list[int] = []
    errors: list[BaseException] = []

    def take() -> None:
        try:
            for _ in range(10):
                with database.session(write=True) as s:
                    taken.append(take_number(s, "stocktake_record", agency_id, 2031).seq)
                    s.commit()
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert sorted(taken) == list(range(1, 41))


def test_verify_anchor_takes_the_footer_line_as_printed(db_with_items):  # noqa: F811
    """`verify --anchor` on the footer's text copied from a page: passes, then fails once
    the history it printed loses its last event (issue 12 point 5)."""
    with db_with_items.session() as s:
        head = current_anchor(s).printed()
    page = pages_text(render(_doc(chain_head=head), []))[0]
    footer = page[page.index("Chuỗi lưu giữ") :]
    assert footer.startswith(f"Chuỗi lưu giữ: {head}")
    assert _cli(db_with_items, "verify", "--anchor", footer).exit_code == 0
    with db_with_items.engine.begin() as conn:
        on = "" if conn.dialect.name == "sqlite" else " ON custody_events"
        conn.execute(sql(f"DROP TRIGGER custody_events_no_delete{on}"))
        newest = "(SELECT max(id) FROM custody_events)"
        conn.execute(sql(f"DELETE FROM custody_events WHERE id = {newest}"))
    assert _cli(db_with_items, "verify", "--anchor", footer).exit_code != 0


def test_a_layout_names_its_page_and_refuses_an_unknown_one():
    from reportlab.lib.pagesizes import A3, landscape

    from evidence_service.documents.layouts import parse_layout

    sheet = parse_layout(
        "sheet", {"code": "SO", "title": "docs_engine.number", "page": "A3-landscape"}
    )
    assert sheet.pagesize == landscape(A3)
    with pytest.raises(ValueError):
        parse_layout("bad", {"code": "X", "title": "t", "page": "Letter"})
    with pytest.raises(ValueError):
        parse_layout("bad", {"title": "t"})
