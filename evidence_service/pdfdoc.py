"""Printable A4 records (stocktake, destruction): the shipped DejaVu font, embedded, so
Vietnamese diacritics print the same everywhere."""

import hashlib
import io
from collections.abc import Callable, Iterator, Sequence
from functools import cache, lru_cache
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .labels.templates import default_labels_dir

FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"


@cache
def register_fonts() -> tuple[str, str]:
    """Register the shipped DejaVu (once per process); returns the regular and bold names."""
    fonts = default_labels_dir() / "fonts"
    pdfmetrics.registerFont(TTFont(FONT, str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(fonts / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)
    return FONT, BOLD


@cache
def styles() -> dict[str, ParagraphStyle]:
    regular, bold = register_fonts()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=14, leading=18, alignment=1),
        "heading": ParagraphStyle(
            "heading", fontName=bold, fontSize=11, leading=14, spaceBefore=6, spaceAfter=3
        ),
        "body": ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", fontName=regular, fontSize=8, leading=10),
        "center": ParagraphStyle(
            "center", fontName=regular, fontSize=9.5, leading=12.5, alignment=1
        ),
    }


def para(text: Any, style: str = "body") -> Paragraph:
    safe = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(safe, styles()[style])


def table(
    header: Sequence[str], rows: Sequence[Sequence[Any]], widths_mm: Sequence[float]
) -> Table:
    cells = [[para(h, "small") for h in header]] + [[para(c, "small") for c in r] for r in rows]
    result = Table(cells, colWidths=[w * mm for w in widths_mm], repeatRows=1)
    result.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return result


_PADDING = 3


@lru_cache(maxsize=4096)
def _split(text: str, font: str, size: float, width: float) -> str:
    """``text`` broken into lines of ``width`` points, between words only; the same texts
    come back line after line in long lists (a case, its basis), hence the cache."""
    return "\n".join(simpleSplit(text, font, size, width))


def light_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths_mm: Sequence[float],
    wrapped: set[int],
    header_rows: int = 1,
) -> Table:
    """A table like ``table`` whose cells are plain text, the ``wrapped`` columns broken
    into lines to fit: for long lists, where a paragraph per cell costs most of the time.
    The first ``header_rows`` rows (the header and as many of ``rows``) repeat on each page."""
    small = styles()["small"]
    room = [w * mm - 2 * _PADDING for w in widths_mm]

    def cell(n: int, value: Any) -> Any:
        text = str(value)
        if n not in wrapped or not text:
            return text
        return _split(text, small.fontName, small.fontSize, room[n])

    cells = [[para(h, "small") for h in header]]
    cells += [[cell(n, c) for n, c in enumerate(r)] for r in rows]
    result = Table(cells, colWidths=[w * mm for w in widths_mm], repeatRows=header_rows)
    result.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONT", (0, 1), (-1, -1), small.fontName, small.fontSize, small.leading),
                ("LEFTPADDING", (0, 0), (-1, -1), _PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), _PADDING),
            ]
        )
    )
    return result


class LazyStory(list):  # type: ignore[type-arg]
    """A story that draws its flowables from an iterator as the document consumes them
    (reportlab takes them from the front of the list), so a long record is built page by
    page instead of all at once."""

    def __init__(self, source: Iterator[Flowable], ahead: int = 4) -> None:
        super().__init__()
        self._source, self._ahead = source, ahead
        self._fill()

    def _fill(self) -> None:
        while list.__len__(self) < self._ahead:
            try:
                self.append(next(self._source))
            except StopIteration:
                return

    def __len__(self) -> int:
        self._fill()
        return list.__len__(self)

    def __getitem__(self, index: Any) -> Any:
        self._fill()
        return list.__getitem__(self, index)

    def __delitem__(self, index: Any) -> None:
        list.__delitem__(self, index)
        self._fill()

    def pop(self, index: Any = -1) -> Any:
        self._fill()
        value = list.pop(self, index)
        self._fill()
        return value


def signatures(names: Sequence[tuple[str, str]]) -> Table:
    """Signature blocks: role above, space to sign, name below; two per row."""
    blocks = [
        [para(role, "center"), Spacer(1, 18 * mm), para(name, "center")] for role, name in names
    ]
    rows = [
        blocks[i : i + 2] + ([""] if len(blocks[i : i + 2]) == 1 else [])
        for i in range(0, len(blocks), 2)
    ]
    return Table(rows, colWidths=[85 * mm, 85 * mm])


def build(
    story: Sequence[Flowable],
    title: str,
    *,
    pagesize: tuple[float, float] = A4,
    margins_mm: tuple[float, float, float, float] = (18, 18, 15, 15),
    author: str | None = None,
    decorate: Callable[[Canvas, Any], None] | None = None,
    chain: tuple[str, str] | None = None,
    canvasmaker: Callable[..., Canvas] | None = None,
) -> bytes:
    """The story as a PDF with the shipped fonts, invariant (no creation time, fixed ids) so
    the same story gives the same bytes. Margins: left, right, top, bottom; ``decorate``
    draws on every page (watermark, page numbers). ``chain``: (label, the custody chain's
    head as printed, ``checkpoints.current_anchor().printed()``) for every page's footer, also
    as a QR;
    ``canvasmaker``: a canvas class (``documents.engine`` uses one that knows the page count)."""
    register_fonts()
    if chain is not None:
        decorate = _with_chain(decorate, *chain)
    out = io.BytesIO()
    left, right, top, bottom = margins_mm
    doc = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        title=title,
        author=author,
        leftMargin=left * mm,
        rightMargin=right * mm,
        topMargin=top * mm,
        bottomMargin=bottom * mm,
        invariant=1,
    )
    flowables = story if isinstance(story, LazyStory) else list(story)
    extra: dict[str, Any] = {} if canvasmaker is None else {"canvasmaker": canvasmaker}
    if decorate is None:
        doc.build(flowables, **extra)
    else:
        doc.build(flowables, onFirstPage=decorate, onLaterPages=decorate, **extra)
    return out.getvalue()


def draw_chain(canvas: Canvas, label: str, head: str, x_mm: float = 8, y_mm: float = 4) -> None:
    """The chain head at (x, y): a 12 mm QR of the printed value and the text beside it.
    The QR is drawn once per document, as a form every page refers to: drawing its modules
    on each page cost 20 ms a page (a 20,000-line ledger has some 800 pages)."""
    form = "chainqr" + hashlib.sha256(head.encode()).hexdigest()[:16]
    if not canvas.hasForm(form):
        code = QrCodeWidget(head, barLevel="M")
        x0, y0, x1, y1 = code.getBounds()
        size = 12 * mm
        drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
        drawing.add(code)
        canvas.beginForm(form)
        renderPDF.draw(drawing, canvas, 0, 0)
        canvas.endForm()
    canvas.saveState()
    canvas.translate(x_mm * mm, y_mm * mm)
    canvas.doForm(form)
    canvas.restoreState()
    canvas.saveState()
    canvas.setFont(FONT, 7)
    canvas.setFillColor(colors.grey)
    canvas.drawString((x_mm + 13) * mm, (y_mm + 4) * mm, f"{label}: {head}")
    canvas.restoreState()


def _with_chain(
    decorate: Callable[[Canvas, Any], None] | None, label: str, head: str
) -> Callable[[Canvas, Any], None]:
    """``decorate``, then the chain head in the bottom-left corner: text and a 12 mm QR."""

    def draw(canvas: Canvas, doc: Any) -> None:
        if decorate is not None:
            decorate(canvas, doc)
        draw_chain(canvas, label, head)

    return draw


def spacer(height_mm: float = 4) -> Spacer:
    return Spacer(1, height_mm * mm)
