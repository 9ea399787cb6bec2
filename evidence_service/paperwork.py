"""The frame of the official documents of handovers, exits, stock cards and unsealings:
the agency header beside the national header, "Số: …", the place and date line, the title,
the body, signature blocks "(Ký, ghi rõ họ tên)", "Trang x/y", the custody chain head in
the footer, and a "draft" mark while the document is not final.

Stand-in for the document engine of branch ``docs``: the documents call only
:func:`render` with a :class:`Paper`, so they can be moved onto the engine in one place.
The words are the ``handover_paper`` keys of the translation files.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle
from sqlmodel import Session

from . import pdfdoc
from .i18n import Translator
from .i18n.formatting import local_time
from .models import Agency


@dataclass(frozen=True)
class Paper:
    """One document: who issues it, its number and date, its title and body, who signs."""

    agency_name: str
    parent_agency_name: str
    number: str
    title: str
    issued_at: datetime
    # Builds the body: called once per pass (a flowable is used up by a build).
    body: Callable[[], Sequence[Flowable]]
    signers: Sequence[tuple[str, str]]  # (role, name): one block each
    locality: str = ""
    subtitle: str = ""
    final: bool = True
    chain_head: str | None = None
    extra_footer: str = ""
    # Printed instead of "Số: …" (a stock card is known by its item's code).
    number_label: str = ""
    notes: Sequence[str] = field(default_factory=tuple)


def agency_names(session: Session, agency_id: int) -> tuple[str, str]:
    """(the agency, the body above it) as the header prints them."""
    agency = session.get(Agency, agency_id)
    assert agency is not None
    parent = session.get(Agency, agency.parent_id) if agency.parent_id else None
    return agency.name, parent.name if parent else ""


def locality(agency_name: str) -> str:
    """The place of the "…, ngày …" line: the province or city in the agency's name (the
    document engine will take it from the agency's own data)."""
    for word in ("tỉnh ", "thành phố ", "Tỉnh ", "Thành phố "):
        if word in agency_name:
            return agency_name.rsplit(word, 1)[1].strip()
    return ""


def when_in_words(t: Translator, moment: datetime) -> str:
    """ "Hồi 15 giờ 37 phút, ngày 01 tháng 12 năm 2026", in Viet Nam's time."""
    local = local_time(moment)
    return t(
        "handover_paper.at_time",
        hour=f"{local.hour:02d}",
        minute=f"{local.minute:02d}",
        day=f"{local.day:02d}",
        month=f"{local.month:02d}",
        year=local.year,
    )


def _header(paper: Paper, t: Translator) -> Table:
    left = []
    if paper.parent_agency_name:
        left.append(pdfdoc.para(paper.parent_agency_name.upper(), "center"))
    left.append(_bold(paper.agency_name.upper()))
    left.append(
        pdfdoc.para(paper.number_label or t("handover_paper.number", number=paper.number), "center")
    )
    right = [
        _bold(t("handover_paper.nation")),
        _bold(t("handover_paper.motto")),
        pdfdoc.para("―――――――――", "center"),
    ]
    local = local_time(paper.issued_at)
    right.append(
        pdfdoc.para(
            t(
                "handover_paper.place_date",
                place=paper.locality or "……",
                day=f"{local.day:02d}",
                month=f"{local.month:02d}",
                year=local.year,
            ),
            "center",
        )
    )
    table = Table([[left, right]], colWidths=[78 * mm, 100 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bold(text: str, style: str = "center") -> Paragraph:
    return Paragraph(f"<b>{_escape(text)}</b>", pdfdoc.styles()[style])


def signature_blocks(t: Translator, signers: Sequence[tuple[str, str]]) -> Table:
    """One block per person: role, "(Ký, ghi rõ họ tên)", room to sign, the name."""
    blocks = [
        [
            _bold(role.upper()),
            pdfdoc.para(t("handover_paper.sign_here"), "center"),
            Spacer(1, 16 * mm),
            pdfdoc.para(name, "center"),
        ]
        for role, name in signers
    ]
    per_row = 3 if len(blocks) > 4 else 2
    rows = [
        blocks[i : i + per_row] + [""] * (per_row - len(blocks[i : i + per_row]))
        for i in range(0, len(blocks), per_row)
    ]
    width = 178 / per_row
    table = Table(rows, colWidths=[width * mm] * per_row)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _story(paper: Paper, t: Translator) -> list[Flowable]:
    story: list[Flowable] = [
        _header(paper, t),
        pdfdoc.spacer(6),
        pdfdoc.para(paper.title.upper(), "title"),
    ]
    if paper.subtitle:
        story.append(pdfdoc.para(paper.subtitle, "center"))
    story.append(pdfdoc.spacer(4))
    story.extend(paper.body())
    for note in paper.notes:
        story.append(pdfdoc.para(note))
    story.append(pdfdoc.spacer(6))
    if paper.signers:
        story.append(KeepTogether([signature_blocks(t, paper.signers)]))
    return story


def render(paper: Paper, t: Translator) -> bytes:
    """The PDF of ``paper``: the same paper gives the same bytes."""
    pages = {"total": 0, "seen": 0}

    def decorate(canvas: Canvas, doc: Any) -> None:
        pages["seen"] = max(pages["seen"], doc.page)
        canvas.saveState()
        if not paper.final:
            canvas.setFont(pdfdoc.BOLD, 40)
            canvas.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.18))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, 0, t("handover_paper.draft"))
            canvas.rotate(-45)
            canvas.translate(-A4[0] / 2, -A4[1] / 2)
        canvas.setFont(pdfdoc.FONT, 8)
        canvas.setFillColor(colors.grey)
        total = pages["total"] or "…"
        footer = t("handover_paper.page", page=doc.page, pages=total)
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"{paper.number} — {footer}")
        if paper.extra_footer:
            canvas.drawRightString(A4[0] - 15 * mm, 6 * mm, paper.extra_footer)
        canvas.restoreState()

    chain = (t("handover_paper.chain"), paper.chain_head) if paper.chain_head else None

    def build() -> bytes:
        return pdfdoc.build(
            _story(paper, t),
            f"{paper.title} {paper.number}",
            margins_mm=(18, 14, 14, 20),
            author=paper.agency_name,
            decorate=decorate,
            chain=chain,
        )

    build()  # the first pass counts the pages, the second prints "x/y"
    pages["total"] = pages["seen"]
    return build()
