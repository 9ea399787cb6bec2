"""Label rendering benchmark (a script, not a test): ``python bench/bench_labels.py``.

(a) naive: qrcode.make() -> PIL image -> reportlab drawImage, 1,000 labels on A4 3x8;
(b) ours: render_pdf of the same 1,000 labels;
(c) median ms per render_png over 200 labels;
(d) peak memory for 1,000 vs 10,000 labels streamed to a null sink, each in a fresh process.
Targets: (b) <= 1 s and >= 6x faster than (a); (c) <= 3 ms; (d) flat.
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
from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from evidence_service.labels import (  # noqa: E402
    PT_PER_MM,
    LabelData,
    LabelTemplate,
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
            title=["Ma túy", "Pháo nổ", "Hóa chất", "Vũ khí thô sơ"][i % 4],
            lines=[f"Vụ án {i % 500}/2025/HS-ST", f"{i % 7 + 1} gói – {i % 900 + 0.5:.1f} g"],
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
