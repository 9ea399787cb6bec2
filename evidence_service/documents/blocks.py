"""The pieces a document is made of, as reportlab flowables: paragraphs, tables whose rows
split across pages whatever their text, signature blocks, the copies line.

Text given here is plain text (escaped here); ``rich`` takes reportlab markup for the
callers that bold a part, with the values escaped by ``esc``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from ..i18n import Translator
from ..pdfdoc import register_fonts
from .words import copies_words

# A table row is at most this many lines of its text: longer cells continue on the
# next rows (and pages); 12 lines of 8 pt are about 42 mm, so a page fills before it breaks.
MAX_ROW_LINES = 12
_PAD = 3  # cell padding, points
# The width between the margins of a portrait A4 page (engine.MARGINS_MM): 210 - 20 - 15.
FRAME_WIDTH_MM = 175.0
_SOFT_BREAKS = ("/", "-", ",", ".", ")")


@cache
def styles() -> dict[str, ParagraphStyle]:
    regular, bold = register_fonts()
    base = ParagraphStyle("doc", fontName=regular, fontSize=10, leading=13.5)
    return {
        "body": ParagraphStyle("doc_body", parent=base, alignment=TA_JUSTIFY),
        "left": base,
        "center": ParagraphStyle("doc_center", parent=base, alignment=TA_CENTER),
        "agency": ParagraphStyle(
            "doc_agency", parent=base, fontSize=9.5, leading=12.5, alignment=TA_CENTER
        ),
        "bold_center": ParagraphStyle(
            "doc_bold_center", parent=base, fontName=bold, alignment=TA_CENTER
        ),
        "title": ParagraphStyle(
            "doc_title",
            parent=base,
            fontName=bold,
            fontSize=13,
            leading=17,
            alignment=TA_CENTER,
            spaceBefore=10,
            spaceAfter=2,
        ),
        "subtitle": ParagraphStyle(
            "doc_subtitle", parent=base, fontName=bold, alignment=TA_CENTER, spaceAfter=6
        ),
        "heading": ParagraphStyle(
            "doc_heading", parent=base, fontName=bold, spaceBefore=7, spaceAfter=3
        ),
        "cell": ParagraphStyle("doc_cell", parent=base, fontSize=8, leading=10),
        "cell_right": ParagraphStyle(
            "doc_cell_right", parent=base, fontSize=8, leading=10, alignment=TA_RIGHT
        ),
        "cell_head": ParagraphStyle(
            "doc_cell_head",
            parent=base,
            fontName=bold,
            fontSize=8,
            leading=10,
            alignment=TA_CENTER,
        ),
        "note": ParagraphStyle(
            "doc_note", parent=base, fontSize=9, textColor=colors.red, alignment=TA_CENTER
        ),
        "small": ParagraphStyle("doc_small", parent=base, fontSize=8, leading=10),
    }


def esc(value: Any) -> str:
    return escape(str(value))


def para(text: Any, style: str = "body") -> Paragraph:
    """Plain text as a paragraph (line breaks kept); it splits across pages by itself."""
    return Paragraph(esc(text).replace("\n", "<br/>"), styles()[style])


def rich(markup: str, style: str = "body") -> Paragraph:
    """Reportlab markup (``<b>``, ``<i>``); escape the values in it with :func:`esc`."""
    return Paragraph(markup, styles()[style])


def heading(text: str) -> Paragraph:
    return para(text, "heading")


def spacer(height_mm: float = 3) -> Spacer:
    return Spacer(1, height_mm * mm)


def bullets(lines: Sequence[str], empty: str = "") -> list[Flowable]:
    if not lines:
        return [para(empty)] if empty else []
    return [para(f"- {line}") for line in lines]


def _wrap(text: str, style: ParagraphStyle, width: float) -> list[str]:
    """``text`` in lines that fit ``width``; a word wider than the column is cut."""
    out: list[str] = []
    for raw in text.split("\n"):
        for line in simpleSplit(raw, style.fontName, style.fontSize, width) or [""]:
            while stringWidth(line, style.fontName, style.fontSize) > width and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and stringWidth(line[:cut], style.fontName, style.fontSize) > width:
                    cut -= 1
                # A number or code breaks after a separator ("1/2026/" "HS-ST") if it can.
                soft = max(line.rfind(mark, 0, cut) for mark in _SOFT_BREAKS) + 1
                cut = soft if soft > cut // 2 else cut
                out.append(line[:cut])
                line = line[cut:]
            out.append(line)
    return out


@dataclass(frozen=True)
class Column:
    """A table column: its header, width and alignment (``right`` for numbers)."""

    header: str
    width_mm: float
    right: bool = False


def table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    max_lines: int = MAX_ROW_LINES,
    header: bool = True,
) -> Table:
    """A grid with a header row repeated on every page (``header=False``: none). A cell of
    any length is cut into pieces of at most ``max_lines`` lines, each on a row of its own,
    so no row is taller than a page and the table splits between pages wherever it must (a
    5,000-character note included)."""
    st = styles()
    widths = [c.width_mm * mm for c in columns]
    cells: list[list[Any]] = [[para(c.header, "cell_head") for c in columns]] if header else []
    continued: list[int] = []  # rows that continue the row above (no rule between them)
    for row in rows:
        pieces = []
        for n, value in enumerate(row):
            style = st["cell_right" if columns[n].right else "cell"]
            if isinstance(value, Flowable):
                pieces.append([value])
                continue
            lines = _wrap("" if value is None else str(value), style, widths[n] - 2 * _PAD)
            chunks = [lines[i : i + max_lines] for i in range(0, len(lines), max_lines)]
            pieces.append([Paragraph("<br/>".join(esc(x) for x in c), style) for c in chunks])
        for k in range(max(len(p) for p in pieces)):
            if k:
                continued.append(len(cells))
            cells.append([p[k] if k < len(p) else "" for p in pieces])
    if not cells:
        cells = [[""] * len(columns)]
    result = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    commands: list[Any] = [
        ("BOX", (0, 0), (-1, -1), 0.5, colors.black),
        ("LINEBEFORE", (1, 0), (-1, -1), 0.3, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    gone = set(continued)  # a row continuing the one above has no rule between them
    commands += [
        ("LINEABOVE", (0, r), (-1, r), 0.3, colors.grey)
        for r in range(1, len(cells))
        if r not in gone
    ]
    result.setStyle(TableStyle(commands))
    return result


def pairs(rows: Sequence[tuple[str, Any]], widths_mm: tuple[float, float] = (55, 120)) -> Table:
    """A two-column table of labels and values, no header (values of any length split as in
    ``table``)."""
    columns = [Column("", widths_mm[0]), Column("", widths_mm[1])]
    return table(columns, [list(r) for r in rows], header=False)


@dataclass(frozen=True)
class Signer:
    """One signature block: the capacity (e.g. "CHỦ TỊCH HỘI ĐỒNG"), the name, and an
    optional line under the capacity (position, agency)."""

    role: str
    name: str = ""
    detail: str = ""


def signatures(
    t: Translator, signers: Sequence[Signer], per_row: int = 2, width_mm: float = FRAME_WIDTH_MM
) -> list[Flowable]:
    """A block per person: capacity, "(Ký, ghi rõ họ tên)", room to sign, the name; kept
    together, ``per_row`` to a row across ``width_mm`` (the frame's width on A4)."""
    st = styles()
    blocks = []
    for s in signers:
        parts = [f"<b>{esc(s.role.upper())}</b>"]
        if s.detail:
            parts.append(esc(s.detail))
        parts.append(f"<i>{esc(t('docs_engine.sign_hint'))}</i>")
        head = Paragraph("<br/>".join(parts), st["center"])
        name = Paragraph(f"<b>{esc(s.name)}</b>", st["center"])
        blocks.append([head, Spacer(1, 20 * mm), name])
    width = width_mm / per_row
    grid = [
        blocks[i : i + per_row] + [""] * (per_row - len(blocks[i : i + per_row]))
        for i in range(0, len(blocks), per_row)
    ]
    out: list[Flowable] = []
    for row in grid:
        line = Table([row], colWidths=[width * mm] * per_row)
        line.setStyle(
            TableStyle(
                [("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 14)]
            )
        )
        out.append(KeepTogether([line]))
    return out


def copies_line(t: Translator, copies: int, receivers: Sequence[str]) -> Paragraph:
    """ "Biên bản được lập thành 04 bản có giá trị như nhau: …" with who keeps each."""
    return para(
        t(
            "docs_engine.copies",
            copies=copies_words(t, copies),
            receivers="; ".join(receivers) if receivers else t("docs_engine.none"),
        )
    )
