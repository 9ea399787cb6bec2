import io
import math
from collections import Counter

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from evidence_service.labels import (
    ELLIPSIS,
    MIN_TEXT_PT,
    LabelData,
    LabelTemplate,
    TemplateError,
    default_labels_dir,
    layout_label,
    load_templates,
    pdf_bytes,
    qr_matrix,
    qr_placement,
    render_pdf,
    render_png,
    render_zpl,
)
from evidence_service.payload import make_item_code, make_payload, make_qr_content

TEMPLATES = load_templates()
SHIPPED = [
    "thermal-50x30-203",
    "thermal-50x30-300",
    "thermal-100x50-203",
    "thermal-100x150-203",
    "a4-3x8-70x37",
    "a4-2x7-l7163",
    "a4-2x4-decal-105x74",
]
CASES = [(name, kind) for name in SHIPPED for kind in ("item", "location")]


def item_label(seq: int, hazards: list[str] | None = None, base_url: str | None = None):
    code = make_item_code(2026, seq)
    payload = make_payload("item", code)
    return LabelData(
        payload=payload,
        qr_content=make_qr_content(payload, base_url),
        kind="item",
        code=code,
        fields={
            "description": "Ma túy đá",
            "seal": "Niêm phong 0012345: nguyên vẹn",
            "judgment": "Bản án số 311/2025/HS-ST",
            "quantity": "1 gói",
            "weight": "KL tịnh 125,5 g",
        },
        hazard_classes=["1.4G"] if hazards is None else hazards,
    )


def location_label(seq: int):
    code = f"KLS-A-{seq:02d}"
    payload = make_payload("location", code)
    return LabelData(
        payload=payload,
        qr_content=payload,
        kind="location",
        code=code,
        fields={"title": f"Kho Lạng Sơn / Kệ A-{seq:02d}", "kind": "Tầng 1 – Khu thuốc nổ"}
        | ({"secure": "KHU VỰC AN NINH"} if seq % 2 else {}),
        hazard_classes=["3", "6.1"] if seq % 2 else [],
    )


def make_label(kind: str, seq: int) -> LabelData:
    return item_label(seq) if kind == "item" else location_label(seq)


def decode(image: Image.Image) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode))


def pdf_pages(data: bytes, dpi: int = 300) -> list[Image.Image]:
    doc = pdfium.PdfDocument(data)
    return [doc[i].render(scale=dpi / 72).to_pil() for i in range(len(doc))]


def test_shipped_templates_are_loaded_from_the_labels_folder():
    assert set(SHIPPED) <= set(TEMPLATES)
    assert default_labels_dir().name == "labels"
    l7163 = TEMPLATES["a4-2x7-l7163"]
    assert l7163.sheet is not None
    assert (l7163.width_mm, l7163.height_mm) == (99.1, 38.1)
    assert (l7163.sheet.top_mm, l7163.sheet.left_mm) == (15.15, 4.65)
    assert (l7163.sheet.pitch_x_mm, l7163.sheet.pitch_y_mm) == (101.6, 38.1)
    assert TEMPLATES["a4-3x8-70x37"].sheet.per_page == 24  # type: ignore[union-attr]
    assert TEMPLATES["thermal-50x30-300"].dpi == 300


def test_adding_a_template_is_adding_a_file(tmp_path):
    src = default_labels_dir() / "thermal-50x30-203.toml"
    text = src.read_text(encoding="utf-8").replace("thermal-50x30-203", "my-roll")
    (tmp_path / "my-roll.toml").write_text(text, encoding="utf-8")
    assert list(load_templates(tmp_path)) == ["my-roll"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("dpi = 203", "dpi = 'x'"), "dpi"),
        (("qr_size_mm = 23.0", "qr_size_mm = 60.0"), "QR box does not fit"),
        (('kind = "thermal"', 'kind = "sheet"'), "[sheet] section"),
        (("margin_mm = 1.5", "margin_mm = 1.5\nmargins = 2"), "margins"),
        (('{ name = "seal"', '{ name = "qr"'), "fields"),
        (('{ name = "seal", pt = 6.0', '{ name = "seal", pt = 5.0'), "greater than or equal to 6"),
        (('{ name = "hazard", pt = 7.0 },', ""), "must print the field 'hazard'"),
        (('error_correction = "H"', 'error_correction = "M"'), "error_correction_reason"),
        # A secure-area warning that cannot fit: refused when loaded, with the reason.
        (
            ('name = "secure", pt = 6.5, bold = true', 'name = "secure", pt = 30, min_pt = 20'),
            "secure",
        ),
        (("hazard_size_mm = 6.0", "hazard_size_mm = 26.0"), "hazard diamonds"),
    ],
)
def test_bad_template_gives_a_clear_error(tmp_path, change, message):
    src = default_labels_dir() / "thermal-50x30-203.toml"
    text = src.read_text(encoding="utf-8")
    assert change[0] in text
    (tmp_path / "thermal-50x30-203.toml").write_text(text.replace(change[0], change[1], 1))
    with pytest.raises(TemplateError) as err:
        load_templates(tmp_path)
    assert message in str(err.value)
    assert "thermal-50x30-203.toml" in str(err.value)


def test_sheet_grid_must_fit_the_page(tmp_path):
    text = (default_labels_dir() / "a4-3x8-70x37.toml").read_text(encoding="utf-8")
    (tmp_path / "a4-3x8-70x37.toml").write_text(text.replace("rows = 8", "rows = 9"))
    with pytest.raises(TemplateError, match="exceeds the page"):
        load_templates(tmp_path)


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_png_has_template_size_and_decodes_to_the_payload(name, kind):
    template = TEMPLATES[name]
    label = make_label(kind, 7)
    image = Image.open(io.BytesIO(render_png(label, template)))
    assert image.size == (
        round(template.width_mm * template.dpi / 25.4),
        round(template.height_mm * template.dpi / 25.4),
    )
    assert [b.text for b in decode(image)] == [label.payload]


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_pdf_decodes_to_exactly_the_expected_payloads(name, kind):
    template = TEMPLATES[name]
    labels = [make_label(kind, i) for i in range(1, 31)]
    skip = 2 if template.sheet else 0
    pages = pdf_pages(pdf_bytes(iter(labels), template, skip=skip))
    per_page = template.sheet.per_page if template.sheet else 1
    assert len(pages) == math.ceil((len(labels) + skip) / per_page)
    decoded = [b.text for page in pages for b in decode(page)]
    assert Counter(decoded) == Counter(lb.payload for lb in labels)


@pytest.mark.parametrize("name", SHIPPED)
def test_pdf_embeds_the_font_and_keeps_vietnamese_text(name):
    template = TEMPLATES[name]
    data = pdf_bytes([item_label(1), location_label(3)], template)
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    # Every item template prints the start of the description and the seal number; every
    # location template the secure-area warning of a secure location.
    for expected in ["Ma túy", "0012345", "Kho Lạng Sơn", "KHU VỰC AN NINH", "1 gói"]:
        assert expected in text
    fonts = [
        font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()
    ]
    assert fonts
    for font in fonts:
        assert "DejaVuSans" in font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"]
    if template.sheet is None:
        box = reader.pages[0].mediabox
        assert float(box.width) == pytest.approx(template.width_mm * 72 / 25.4, abs=0.01)
        assert float(box.height) == pytest.approx(template.height_mm * 72 / 25.4, abs=0.01)


def _cells(page: Image.Image, template: LabelTemplate) -> list[int]:
    """Grid position of each decoded QR on a rendered A4 page."""
    sheet = template.sheet
    assert sheet is not None
    px = page.width / sheet.page_mm[0]
    cells = []
    for b in decode(page):
        p = b.position
        cx = (p.top_left.x + p.bottom_right.x) / 2 / px
        cy = (p.top_left.y + p.bottom_right.y) / 2 / px
        col = int((cx - sheet.left_mm) // sheet.pitch_x_mm)
        row = int((cy - sheet.top_mm) // sheet.pitch_y_mm)
        cells.append(row * sheet.columns + col)
    return sorted(cells)


def test_skip_and_copies_fill_the_expected_sheet_positions():
    template = TEMPLATES["a4-3x8-70x37"]
    labels = [item_label(i, hazards=[]) for i in range(1, 11)]
    buf = io.BytesIO()
    pages = render_pdf(iter(labels), template, skip=5, copies=3, out=buf)
    assert pages == 2  # 5 skipped + 30 printed = 35 positions
    images = pdf_pages(buf.getvalue(), dpi=200)
    assert _cells(images[0], template) == list(range(5, 24))
    assert _cells(images[1], template) == list(range(0, 11))
    decoded = Counter(b.text for page in images for b in decode(page))
    assert decoded == Counter({lb.payload: 3 for lb in labels})


def test_pdf_arguments_are_checked():
    with pytest.raises(ValueError):
        pdf_bytes([item_label(1)], TEMPLATES["a4-3x8-70x37"], skip=24)
    with pytest.raises(ValueError):
        pdf_bytes([item_label(1)], TEMPLATES["thermal-50x30-203"], skip=2)
    with pytest.raises(ValueError):
        pdf_bytes([item_label(1)], TEMPLATES["thermal-50x30-203"], copies=0)
    empty = PdfReader(io.BytesIO(pdf_bytes([], TEMPLATES["a4-3x8-70x37"])))
    assert len(empty.pages) == 1


def test_pdf_consumes_the_labels_lazily():
    seen = []

    def labels():
        for i in range(1, 60):
            seen.append(i)
            yield item_label(i)

    class Sink(io.RawIOBase):
        """Records how many labels had been pulled when each chunk was written."""

        def __init__(self):
            self.marks: list[int] = []

        def writable(self):
            return True

        def write(self, b):
            self.marks.append(len(seen))
            return len(b)

    sink = Sink()
    render_pdf(labels(), TEMPLATES["a4-3x8-70x37"], out=sink)  # type: ignore[arg-type]
    # Page 1 was written after 24 labels had been read, before the rest were pulled.
    assert 24 in sink.marks
    assert sink.marks[-1] == 59


def test_url_qr_content_decodes_to_the_url():
    template = TEMPLATES["thermal-50x30-203"]
    label = item_label(5, base_url="https://ev.example.vn/s")
    image = Image.open(io.BytesIO(render_png(label, template)))
    assert [b.text for b in decode(image)] == [f"https://ev.example.vn/s/{label.payload}"]
    pages = pdf_pages(pdf_bytes([label], template))
    assert [b.text for b in decode(pages[0])] == [label.qr_content]


LONG_TITLE = "Pháo nổ các loại " * 12
LONG_LINES = [
    "Vụ án 311/2025/HS-ST – Tòa án nhân dân tỉnh Lạng Sơn – Quyết định thi hành án số 45/QĐ-CTHADS",
    "Siêuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuudài-không-có-khoảng-trắng",
] + [f"Ghi chú dòng {i}: niêm phong còn nguyên, cân lại 125,5 g" for i in range(12)]


def long_label(kind: str) -> LabelData:
    base = make_label(kind, 1)
    names = [f.name for f in TEMPLATES["thermal-50x30-203"].section(kind).fields]
    texts = iter([LONG_TITLE, *LONG_LINES] * 3)
    fields = {n: next(texts) for n in names if n not in ("code", "hazard")}
    fields["secure"] = "KHU VỰC AN NINH"
    return LabelData(base.payload, base.qr_content, kind, base.code, fields, ["1.4G", "3"])


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_long_text_stays_in_its_box_and_off_the_qr(name, kind):
    template = TEMPLATES[name]
    label = long_label(kind)
    base = make_label(kind, 1)
    lay = layout_label(label, template)
    assert lay.lines and lay.hazards
    # The never-dropped marks are there: the secure warning whole, the code, the diamonds.
    assert " ".join(ln.text for ln in lay.lines if ln.field == "secure") == "KHU VỰC AN NINH"
    codes = [ln for ln in lay.lines if ln.field == "code"]
    assert [ln.text for ln in codes] == [base.code]
    assert [h.hazard_class for h in lay.hazards] == ["1.4G", "3"]
    # A long description never shrinks the code.
    plain = [ln for ln in layout_label(base, template).lines if ln.field == "code"]
    assert codes[0].size_pt == plain[0].size_pt
    for item in [ln.box for ln in lay.lines] + [h.box for h in lay.hazards]:
        assert not item.overlaps(lay.qr)
        assert lay.text_box.contains(item)
    boxes = [ln.box for ln in lay.lines] + [h.box for h in lay.hazards]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    for line in lay.lines:
        assert line.size_pt >= MIN_TEXT_PT - 1e-9  # never below 6 pt
        assert line.width <= lay.text_box.w + 1e-6
    # Each field keeps to its own number of lines; a cut one ends with an ellipsis.
    section = template.section(kind)
    for spec in section.fields:
        mine = [ln for ln in lay.lines if ln.field == spec.name]
        assert len(mine) <= spec.lines
    # And the long label still renders and scans, with not one text pixel inside the QR box.
    image = Image.open(io.BytesIO(render_png(label, template))).convert("L")
    assert [b.text for b in decode(image)] == [label.payload]
    bare = LabelData(base.payload, base.qr_content, kind, "", {}, [])
    bare_image = Image.open(io.BytesIO(render_png(bare, template))).convert("L")
    px = template.dpi / 25.4
    q = lay.qr
    crop = (int(q.x * px), int(q.y * px), int((q.x + q.w) * px), int((q.y + q.h) * px))
    assert image.crop(crop).tobytes() == bare_image.crop(crop).tobytes()


def test_text_wraps_before_it_shrinks():
    template = TEMPLATES["thermal-50x30-203"]
    label = location_label(2)
    long = LabelData(
        label.payload,
        label.qr_content,
        "location",
        label.code,
        {**label.fields, "title": "Kho vật chứng tỉnh Lạng Sơn / Kệ A-02"},
    )
    lay = layout_label(long, template)
    title = [ln for ln in lay.lines if ln.field == "title"]
    assert len(title) >= 2  # wrapped onto its lines...
    nominal = template.location.field("title")
    assert nominal is not None
    assert all(ln.size_pt == nominal.pt for ln in title)  # ...at full size


def test_a_field_too_long_for_its_lines_shrinks_then_ends_with_an_ellipsis():
    template = TEMPLATES["thermal-50x30-203"]
    base = item_label(1, hazards=[])
    label = LabelData(base.payload, base.qr_content, "item", base.code, {"description": LONG_TITLE})
    lay = layout_label(label, template)
    desc = [ln for ln in lay.lines if ln.field == "description"]
    spec = template.item.field("description")
    assert spec is not None
    assert len(desc) == spec.lines
    assert desc[-1].text.endswith(ELLIPSIS) and not desc[-1].text.endswith(ELLIPSIS * 2)
    assert desc[0].text.startswith("Pháo nổ")
    assert all(spec.min_pt <= ln.size_pt < spec.pt for ln in desc)


@pytest.mark.parametrize("name", SHIPPED)
def test_qr_modules_are_whole_printer_dots_with_a_quiet_zone(name):
    template = TEMPLATES[name]
    for kind in ("item", "location"):
        label = make_label(kind, 1)
        n = len(qr_matrix(label.qr_content, template.error_correction))
        qr = qr_placement(template, kind, n)
        assert template.error_correction == "H"
        assert qr.quiet_zone == 4  # it fits on every shipped template
        assert qr.module_dots >= 1 and qr.module_mm >= template.min_module_mm
        side = template.section(kind).qr_size_mm * template.dpi / 25.4
        assert qr.module_dots * (n + 2 * qr.quiet_zone) <= side + 1e-6


def test_pdf_qr_modules_sit_on_the_printer_dot_grid():
    template = TEMPLATES["thermal-50x30-203"]
    label = item_label(1, hazards=[])
    data = pdf_bytes([label], template)
    content = PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data().decode("latin-1")
    n = len(qr_matrix(label.qr_content, "H"))
    qr = qr_placement(template, "item", n)
    scale = float(content.split(" 0 0 ")[0].split()[-1])
    assert scale == pytest.approx(qr.module_dots * 25.4 / template.dpi * 72 / 25.4, abs=1e-4)


def test_hazard_marker_only_for_dangerous_items():
    template = TEMPLATES["a4-3x8-70x37"]
    assert layout_label(item_label(1, hazards=[]), template).hazards == []
    marks = layout_label(item_label(1, hazards=["3", "6.1"]), template).hazards
    assert [m.hazard_class for m in marks] == ["3", "6.1"]
    png = Image.open(io.BytesIO(render_png(item_label(1, hazards=["3"]), template)))
    assert (204, 0, 0) in {c for _, c in png.convert("RGB").getcolors(1 << 16) or []}


@pytest.mark.parametrize("name", [n for n in SHIPPED if TEMPLATES[n].kind == "thermal"])
def test_zpl_has_one_block_per_label_with_sizes_from_the_template(name):
    template = TEMPLATES[name]
    labels = [item_label(1), location_label(2), item_label(3, hazards=[])]
    zpl = render_zpl(labels, template)
    assert zpl.count("^XA") == zpl.count("^XZ") == 3
    assert f"^PW{round(template.width_mm * template.dpi / 25.4)}" in zpl
    assert f"^LL{round(template.height_mm * template.dpi / 25.4)}" in zpl
    # The QR is a native ^BQ where the printer can magnify its modules (1-10 dots), else a
    # graphic of its own (the 100x150 roll's big modules).
    native = all(
        qr_placement(template, lb.kind, len(qr_matrix(lb.qr_content, "H"))).module_dots <= 10
        for lb in labels
    )
    for lb in labels:
        assert (f"^FDHA,{lb.payload}^FS" in zpl) == native
    graphics = 3 if native else 6
    assert zpl.count("^GFA,") == graphics and zpl.count(":Z64:") == graphics
    assert zpl == render_zpl(labels, template)


def test_zpl_font_mode_escapes_command_characters():
    base = item_label(1, hazards=[])
    label = LabelData(base.payload, base.payload, "item", base.code, {"description": "a^b~c_d"})
    zpl = render_zpl([label], TEMPLATES["thermal-50x30-203"], text="font")
    assert "^FH^FDa_5Eb_7Ec_5Fd^FS" in zpl
    assert "^A@N," in zpl and "E:DEJAVU.TTF" in zpl


def test_fonts_ship_with_their_license():
    fonts = default_labels_dir() / "fonts"
    for name in ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE-DejaVu.txt"]:
        assert (fonts / name).is_file()
