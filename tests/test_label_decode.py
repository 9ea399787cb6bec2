"""Golden decodes of every shipped template: PNG, PDF rasterised at the template's dpi, and
ZPL rendered by an independent renderer (``zpl-renderer-js``, offline), each at EC level H and
still decoding with a smudge over 10 % of the symbol; no Vietnamese in a resident-font field."""

import io
import math
import re
import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageDraw

from evidence_service.labels import (
    LabelData,
    load_templates,
    pdf_bytes,
    qr_matrix,
    qr_placement,
    render_png,
    render_zpl,
)
from evidence_service.payload import make_item_code, make_payload

TEMPLATES = load_templates()
CASES = [(name, kind) for name in TEMPLATES for kind in ("item", "location")]
THERMAL = [(n, k) for n, k in CASES if TEMPLATES[n].kind == "thermal"]
RENDERER = Path(__file__).parent / "zpl"
TARGET = "Hóa chất Kali xyanua – niêm phong 0012345"


def label(kind: str) -> LabelData:
    if kind == "item":
        code = make_item_code(2026, 12345)
        p = make_payload("item", code)
        fields = {
            "description": TARGET,
            "seal": "Niêm phong 0012345: nguyên vẹn",
            "judgment": "Bản án số 58/2026/HS-PT – TAND tỉnh Lạng Sơn",
            "quantity": "1 lọ",
            "secure": "KHU VỰC AN NINH",
        }
        return LabelData(p, p, "item", code, fields, ["6.1"])
    p = make_payload("location", "KLS-A-01")
    fields = {"title": "Kho Lạng Sơn / Kệ ẫ ẵ ẩ", "kind": "Kệ", "secure": "KHU VỰC AN NINH"}
    return LabelData(p, p, "location", "KLS-A-01", fields, ["3", "6.1"])


def decode(image: Image.Image) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode))


def smudged(image: Image.Image, payload: str, fraction: float = 0.10) -> Image.Image:
    """A dark smudge covering ``fraction`` of the data area (the symbol less its three
    finder patterns with their separators), at the symbol's centre."""
    (found,) = decode(image)
    p = found.position
    xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
    ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
    n = len(qr_matrix(payload, "H"))
    module_px = (max(xs) - min(xs)) / n
    side = math.sqrt(fraction * (n * n - 3 * 64)) * module_px
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    out = image.convert("L")
    ImageDraw.Draw(out).rectangle(
        (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2), fill=40
    )
    return out


def assert_decodes(image: Image.Image, payload: str) -> None:
    assert [b.text for b in decode(image)] == [payload]
    assert decode(image)[0].ec_level == "H"
    assert [b.text for b in decode(smudged(image, payload))] == [payload]


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_png_decodes_at_level_h_through_a_smudge(name, kind):
    lb = label(kind)
    assert_decodes(Image.open(io.BytesIO(render_png(lb, TEMPLATES[name]))), lb.payload)


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_pdf_at_the_templates_dpi_decodes_through_a_smudge(name, kind):
    template = TEMPLATES[name]
    lb = label(kind)
    doc = pdfium.PdfDocument(pdf_bytes([lb], template))
    page = doc[0].render(scale=template.dpi / 72).to_pil()
    assert_decodes(page, lb.payload)


def zpl_render(zpl: str, template, tmp_path: Path) -> list[Image.Image]:
    """The renderer's PNGs; its canvas is exactly the label's dots (^PW x ^LL): on a wider one
    it centres the label."""
    node = shutil.which("node")
    if node is None or not (RENDERER / "node_modules" / "zpl-renderer-js").is_dir():
        pytest.skip("zpl-renderer-js not installed (npm install --prefix tests/zpl; .ci/run does)")
    dpmm = round(template.dpi / 25.4)
    done = subprocess.run(
        [
            node,
            str(RENDERER / "render.cjs"),
            str(round(template.width_mm * template.dpi / 25.4) / dpmm),
            str(round(template.height_mm * template.dpi / 25.4) / dpmm),
            str(dpmm),
            str(tmp_path / "zpl"),
        ],
        input=zpl.encode("utf-8"),
        capture_output=True,
        timeout=120,
        check=True,
    )
    count = int(done.stdout.decode().strip())
    return [Image.open(tmp_path / f"zpl-{i}.png").convert("L") for i in range(count)]


@pytest.mark.parametrize(("name", "kind"), THERMAL)
def test_zpl_rendered_independently_decodes_through_a_smudge(name, kind, tmp_path):
    template = TEMPLATES[name]
    lb = label(kind)
    (image,) = zpl_render(render_zpl([lb], template), template, tmp_path)
    assert_decodes(image, lb.payload)


@pytest.mark.parametrize(("name", "kind"), THERMAL)
def test_zpl_symbol_prints_at_the_planned_module_size(name, kind, tmp_path):
    """Whole printer dots per module in ZPL too, as planned: ^BQ magnifies to 10 dots at
    most, so the 100x150 roll's 16- and 19-dot modules must not shrink to 10."""
    template = TEMPLATES[name]
    lb = label(kind)
    (image,) = zpl_render(render_zpl([lb], template), template, tmp_path)
    (found,) = decode(image)
    n = len(qr_matrix(lb.qr_content, "H"))
    qr = qr_placement(template, kind, n)
    width = found.position.top_right.x - found.position.top_left.x + 1
    assert width / n == pytest.approx(qr.module_dots, abs=0.2)
    assert abs(found.position.top_left.x - qr.x_dots) <= 1


@pytest.mark.parametrize("name", [n for n in TEMPLATES if TEMPLATES[n].kind == "thermal"])
def test_zpl_prints_every_diacritic_as_the_png_does(name, tmp_path):
    """The independent renderer draws the ^GFA text dot for dot as our own PNG: every mark
    of "Hóa chất Kali xyanua – niêm phong 0012345" is on the label (look: tmp_path)."""
    template = TEMPLATES[name]
    lb = label("item")
    (zpl_image,) = zpl_render(render_zpl([lb], template), template, tmp_path)
    zpl_image.save(tmp_path / "target.png")
    ours = Image.open(io.BytesIO(render_png(lb, template))).convert("L")
    assert zpl_image.size == ours.size
    # Compare the text area (right of the QR box): dark dots in the same places.
    section = template.item
    x0 = round((section.qr_x_mm + section.qr_size_mm) * template.dpi / 25.4)
    box = (x0, 0, ours.size[0], ours.size[1])
    a = [v < 128 for v in ours.crop(box).tobytes()]
    b = [v < 128 for v in zpl_image.crop(box).tobytes()]
    dark = sum(a)
    assert dark > 500
    same = sum(1 for p, q in zip(a, b, strict=True) if p and q)
    assert same / dark > 0.97


# --- no Vietnamese in a resident-font field ----------------------------------------------------

_COMMAND = re.compile(r"[\^~]([A-Z@0-9]{1,2})")


def resident_text_fields(zpl: str) -> list[str]:
    """The data of every text field printed with a printer-resident font (not ``^A@``), by a
    small ZPL parser: fields run from ``^FO``/``^FT`` to ``^FS``; barcodes and graphics skip."""
    fields = []
    default_resident = True  # font 0 unless ^CF names another; ^CF@ is not a thing
    for block in re.split(r"\^FS", zpl):
        commands = _COMMAND.findall(block)
        data_at = block.find("^FD")
        if data_at < 0 or "^GF" in block:
            continue
        before = block[:data_at]
        if re.search(r"\^B[0-9A-Z]", before):
            continue  # barcode data
        fonts = re.findall(r"\^A([0-9A-Z@])", before)
        resident = fonts[-1] != "@" if fonts else default_resident
        if "CF" in commands:
            default_resident = True
        if resident:
            fields.append(block[data_at + 3 :])
    return fields


def non_latin1(fields: list[str]) -> list[str]:
    return [f for f in fields if any(ord(c) > 0xFF for c in f)]


def test_the_parser_finds_vietnamese_in_a_resident_font_field():
    bad = "^XA^FO10,10^A0N,20,20^FDHóa chất^FS^FO10,40^A@N,20,20,E:DEJAVU.TTF^FDHóa chất^FS^XZ"
    assert non_latin1(resident_text_fields(bad)) == ["Hóa chất"]
    assert resident_text_fields("^XA^FO1,1^BQN,2,4^FDHA,ẫ^FS^XZ") == []


@pytest.mark.parametrize("text", ["graphic", "font"])
@pytest.mark.parametrize(("name", "kind"), THERMAL)
def test_no_resident_font_field_holds_a_non_latin1_character(name, kind, text):
    zpl = render_zpl([label(kind)], TEMPLATES[name], text=text)
    assert non_latin1(resident_text_fields(zpl)) == []
