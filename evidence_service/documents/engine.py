"""The one document engine: every official record is a :class:`Document` (its layout, language,
issuing agency, number, date and legal regime) and a body of flowables; :func:`render` frames
the body the same way for all of them:

- the agency header (parent body, agency) beside the two-line national header, "Số: …/<code>"
  under the agency and the place/date line under the motto;
- the title (and a subtitle), "the translation" note in a language other than Vietnamese,
  the draft note and watermark before the document is final;
- on every page: "<code> số … — Trang x/y" and the custody chain head (count and short hash,
  and a QR of it; ``verify --anchor`` accepts the printed value).

The body is built by the document's own module from :mod:`.blocks`; the legal basis
(:func:`basis`) and the copies line come from the layout (:mod:`.layouts`).
"""

import itertools
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfdoc import PDFBase85Encode, PDFStream, PDFZCompress
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Table, TableStyle

from .. import pdfdoc
from ..i18n import Translator, translator
from ..models import LegalRegime
from .agency import AgencyHeader
from .blocks import copies_line, esc, para, rich
from .layouts import Layout, layout
from .words import place_date

MARGINS_MM = (20, 15, 15, 20)  # left, right, top, bottom (Decree 30/2020 Appendix I, about)


@dataclass(frozen=True)
class Document:
    """What frames one document. ``number`` is the printed number once final (from
    :func:`.store.finalise`); ``None`` prints "Số: …/<code>" and marks the draft."""

    kind: str
    lang: str
    agency: AgencyHeader
    day: date
    number: str | None = None
    regime: LegalRegime | str | None = None
    chain_head: str | None = None
    draft: bool = False
    subtitle: str = ""
    title_values: dict[str, Any] = field(default_factory=dict)

    @property
    def layout(self) -> Layout:
        return layout(self.kind)

    @property
    def t(self) -> Translator:
        return translator(self.lang)

    @property
    def title(self) -> str:
        return self.t(self.layout.title, **self.title_values)

    @property
    def printed_number(self) -> str:
        return self.number or f"…/{self.layout.code}"


def frame_width_mm(doc: Document) -> float:
    """The width between the margins of the document's page (175 mm on portrait A4)."""
    return doc.layout.pagesize[0] / mm - MARGINS_MM[0] - MARGINS_MM[1]


def header(doc: Document) -> list[Flowable]:
    """The two headers side by side, the number and the place/date line, the title."""
    t = doc.t
    left = rich(
        f"{esc(doc.agency.parent.upper())}<br/><b>{esc(doc.agency.name.upper())}</b>"
        f"<br/>―――――<br/>{esc(t('docs_engine.number'))}: {esc(doc.printed_number)}",
        "agency",
    )
    right = rich(
        f"<b>{esc(t('docs_engine.nation'))}</b><br/><b><u>{esc(t('docs_engine.motto'))}</u></b>"
        f"<br/><br/><i>{esc(place_date(t, doc.agency.place, doc.day))}</i>",
        "center",
    )
    width = frame_width_mm(doc)
    top = Table([[left, right]], colWidths=[width * 0.46 * mm, width * 0.54 * mm])
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    out: list[Flowable] = [top, para(doc.title, "title")]
    if doc.subtitle:
        out.append(para(doc.subtitle, "subtitle"))
    if doc.draft:
        out.append(para(t("docs_engine.draft_note"), "note"))
    if t.lang != "vi":
        out.append(para(t("docs_engine.translation_note"), "note"))
    return out


def basis(doc: Document, extra: Sequence[str] = ()) -> list[Flowable]:
    """ "Căn cứ …" lines: the layout's laws and articles for the document's regime, then
    ``extra`` (the acts of this case: decisions, judgments)."""
    t = doc.t
    lines = [t(key) for key in doc.layout.basis_for(doc.regime)] + list(extra)
    return [para(line) for line in lines]


def copies(doc: Document) -> list[Flowable]:
    """ "Biên bản được lập thành 04 bản …" from the layout (nothing when it gives no copies)."""
    if not doc.layout.copies:
        return []
    t = doc.t
    return [copies_line(t, doc.layout.copies, [t(k) for k in doc.layout.distribution])]


class _PackedStream(PDFStream):  # type: ignore[misc]
    """A page's content stream kept compressed until the document writes it (reportlab
    holds every page's stream until then); it writes what reportlab's own would."""

    def __init__(self, text: str, filters: list[Any]) -> None:
        super().__init__(filters=filters)
        self.packed = zlib.compress(text.encode(), 1)
        self.__Comment__ = "page stream"

    @property  # type: ignore[misc]
    def content(self) -> str:
        return zlib.decompress(self.packed).decode()

    @content.setter
    def content(self, value: Any) -> None:
        if value is not None:
            raise AttributeError("a packed page stream is set when made")


def _pack_page_stream(page: Any) -> None:
    """As ``PDFPage.check_format`` would make the page's stream, but packed meanwhile."""
    if not page.compression or not page.stream or page.Contents:
        return
    filters = [PDFBase85Encode, PDFZCompress] if rl_config.useA85 else [PDFZCompress]
    page.Contents = _PackedStream(page.stream, filters)
    page.stream = None


def _paged(footer: Callable[[Canvas, int, int], None]) -> Callable[..., Canvas]:
    """A canvas class that holds its pages until the end, so each footer knows the total.
    A held page keeps its drawing operators packed (joined as reportlab joins them, then
    compressed): 800 pages of a ledger held as lists of small strings took ~130 MB."""

    class PagedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            state = dict(self.__dict__)
            state["_code"] = zlib.compress("\n".join(self._code).encode(), 1) if self._code else b""
            self._held.append(state)
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            held, self._held = self._held, []
            for n, state in enumerate(held):
                held[n] = {}  # each page unpacked only while it is written
                packed = state["_code"]
                state["_code"] = [zlib.decompress(packed).decode()] if packed else []
                self.__dict__.update(state)
                footer(self, self._pageNumber, total)
                Canvas.showPage(self)
                _pack_page_stream(self._doc.Pages.pages[-1])
            Canvas.save(self)

    return PagedCanvas


def render(
    doc: Document, body: Sequence[Flowable] | Iterator[Flowable], author: str | None = None
) -> bytes:
    """The document as PDF bytes: header, ``body``, and the footer on every page. The same
    document and body give the same bytes (``pdfdoc.build`` is invariant)."""
    t = doc.t
    size = doc.layout.pagesize

    def watermark(canvas: Canvas, _doc: Any) -> None:
        if not doc.draft:
            return
        canvas.saveState()
        canvas.setFont(pdfdoc.BOLD, 64)
        canvas.setFillColor(colors.Color(0.85, 0.85, 0.85, alpha=0.5))
        canvas.translate(size[0] / 2, size[1] / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, 0, t("docs_engine.draft"))
        canvas.restoreState()

    def footer(canvas: Canvas, page: int, total: int) -> None:
        canvas.saveState()
        canvas.setFont(pdfdoc.FONT, 8)
        canvas.setFillColor(colors.black)
        canvas.drawRightString(
            size[0] - MARGINS_MM[1] * mm,
            9 * mm,
            t("docs_engine.footer", number=doc.printed_number, page=page, pages=total),
        )
        canvas.restoreState()
        if doc.chain_head:
            pdfdoc.draw_chain(canvas, t("docs_engine.chain"), doc.chain_head)

    # A body given as an iterator (a long ledger) is drawn from as the pages fill, so its
    # flowables are never all in memory at once (``pdfdoc.LazyStory``).
    story: Sequence[Flowable] = (
        [*header(doc), *body]
        if isinstance(body, list | tuple)
        else pdfdoc.LazyStory(itertools.chain(header(doc), body))
    )
    return pdfdoc.build(
        story,
        f"{doc.title} {doc.printed_number}",
        pagesize=size,
        margins_mm=MARGINS_MM,
        author=author or doc.agency.name,
        decorate=watermark,
        canvasmaker=_paged(footer),
    )
