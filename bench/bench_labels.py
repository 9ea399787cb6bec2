"""Label rendering benchmark (a script, not a test): ``python bench/bench_labels.py``.

(a) naive: qrcode.make() -> PIL image -> reportlab drawImage, 1,000 labels on A4 3x8;
(b) ours: render_pdf of the same 1,000 labels;
(c) median ms per render_png over 200 labels;
(d) peak memory for 1,000 vs 10,000 labels streamed to a null sink, each in a fresh process;
(e) 1,000 thermal labels as ZPL with the text as Z64 graphics (what a Zebra prints Vietnamese
    from), against the naive way: each whole label rasterised and sent as an uncompressed
    hex ^GFA (what "print as image" drivers do).
Targets: (b) <= 1 s and >= 6x faster than (a); (c) <= 3 ms; (d) flat; (e) <= 2 s.
"""

from __future__ import annotations

import io
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import qrcode  # noqa: E402
from PIL import Image  # noqa: E402
from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from evidence_service.labels import (  # noqa: E402
    PT_PER_MM,
    LabelData,
    LabelTemplate,
    iter_zpl,
    load_templates,
    render_pdf,
    render_png,
)
from evidence_service.payload import make_item_code, make_payload  # noqa: E402

SHEET = "a4-3x8-70x37"
THERMAL = "thermal-50x30-203"


class NullSink(io.RawIOBase):
    """Counts bytes and drops them, like writing to /dev/null."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[no-untyped-def, override]
        self.size += len(b)
        return len(b)


def labels(n: int) -> Iterator[LabelData]:
    for i in range(1, n + 1):
        code = make_item_code(2026, i)
        payload = make_payload("item", code)
        yield LabelData(
            payload=payload,
            qr_content=payload,
            kind="item",
            code=code,
            fields={
                "description": ["Ma túy đá", "Pháo nổ", "Hóa chất Kali xyanua", "Dao găm"][i % 4],
                "seal": f"Niêm phong {i:07d}: nguyên vẹn",
                "judgment": f"Bản án {i % 500}/2025/HS-ST – TAND tỉnh Lạng Sơn",
                "quantity": f"{i % 7 + 1} gói",
                "weight": f"KL tịnh {i % 900 + 0.5:.1f} g".replace(".", ","),
                **({"secure": "KHU VỰC AN NINH"} if i % 5 == 0 else {}),
            },
            hazard_classes=[["1.4G"], [], ["3", "6.1"]][i % 3],
        )


def naive_pdf(items: list[LabelData], template: LabelTemplate) -> bytes:
    sheet = template.sheet
    assert sheet is not None
    page_w, page_h = (v * PT_PER_MM for v in sheet.page_mm)
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(page_w, page_h))
    qr_pt = template.item.qr_size_mm * PT_PER_MM
    for i, label in enumerate(items):
        slot = i % sheet.per_page
        if i and slot == 0:
            c.showPage()
        row, col = divmod(slot, sheet.columns)
        x = (sheet.left_mm + col * sheet.pitch_x_mm) * PT_PER_MM
        top = page_h - (sheet.top_mm + row * sheet.pitch_y_mm) * PT_PER_MM
        img = qrcode.make(label.qr_content).get_image()
        c.drawImage(ImageReader(img), x + 2, top - qr_pt - 8, qr_pt, qr_pt)
        c.setFont("Helvetica-Bold", 10)
        c.drawString(x + qr_pt + 6, top - 16, label.code)
    c.save()
    return out.getvalue()


def naive_zpl(items: list[LabelData], template: LabelTemplate) -> bytes:
    """Each whole label rendered to a bitmap and sent as uncompressed hex (^GFA, ASCII)."""
    out = []
    for label in items:
        img = Image.open(io.BytesIO(render_png(label, template))).convert("1")
        img = Image.eval(img, lambda v: 255 - v).convert("1")  # ^GF: 1 = a black dot
        width = (img.width + 7) // 8 * 8
        canvas_ = Image.new("1", (width, img.height), 0)
        canvas_.paste(img, (0, 0))
        raw = canvas_.tobytes()
        out.append(f"^XA^FO0,0^GFA,{len(raw)},{len(raw)},{width // 8},{raw.hex().upper()}^FS^XZ\n")
    return "".join(out).encode("ascii")


def ours_zpl(items: list[LabelData], template: LabelTemplate) -> bytes:
    return b"".join(s.encode("utf-8") for s in iter_zpl(items, template))


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def memory_child(n: int) -> None:
    """Run in a fresh interpreter: print RSS growth (KiB) and tracemalloc peak (KiB)."""
    template = load_templates()[SHEET]
    render_pdf(labels(10), template, out=NullSink())  # warm caches before measuring
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    render_pdf(labels(n), template, out=NullSink())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(after - before, peak // 1024)


def main() -> None:
    templates = load_templates()
    sheet = templates[SHEET]
    items = list(labels(1000))
    render_pdf(items[:30], sheet, out=NullSink())  # warm font and template caches

    t_naive, naive = timed(naive_pdf, items, sheet)
    sink = NullSink()
    t_ours, pages = timed(render_pdf, iter(items), sheet, out=sink)
    print(
        f"(a) naive qrcode.make+drawImage, 1,000 labels: {t_naive:6.3f} s  "
        f"({len(naive) / 1e6:.2f} MB)"
    )
    print(
        f"(b) render_pdf, 1,000 labels on {pages} sheets: {t_ours:6.3f} s  "
        f"({sink.size / 1e6:.2f} MB)  -> {t_naive / t_ours:.1f}x faster"
    )

    for name in (THERMAL, "thermal-100x50-203", SHEET):
        template = templates[name]
        render_png(items[0], template)
        times = []
        for label in items[:200]:
            start = time.perf_counter()
            render_png(label, template)
            times.append((time.perf_counter() - start) * 1000)
        print(
            f"(c) render_png {name} @{template.dpi} dpi: median {statistics.median(times):.2f} "
            f"ms, p95 {sorted(times)[189]:.2f} ms"
        )

    for name in (THERMAL, "thermal-50x30-300"):
        template = templates[name]
        ours_zpl(items[:20], template)
        naive_zpl(items[:20], template)
        t_naive_z, naive_z = timed(naive_zpl, items, template)
        t_ours_z, ours_z = timed(ours_zpl, items, template)
        print(
            f"(e) ZPL {name}, 1,000 labels, text as Z64 graphics: {t_ours_z:6.3f} s "
            f"({len(ours_z) / 1e6:.2f} MB); naive whole-label hex {t_naive_z:6.3f} s "
            f"({len(naive_z) / 1e6:.2f} MB) -> {t_naive_z / t_ours_z:.1f}x faster, "
            f"{len(naive_z) / len(ours_z):.1f}x fewer bytes"
        )

    for n in (1000, 10000):
        out = subprocess.run(
            [sys.executable, __file__, "--memory", str(n)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        print(
            f"(d) {n:>6,} labels streamed: RSS growth {int(out[0]) / 1024:6.1f} MiB, "
            f"tracemalloc peak {int(out[1]) / 1024:6.1f} MiB"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory":
        memory_child(int(sys.argv[2]))
    else:
        main()
