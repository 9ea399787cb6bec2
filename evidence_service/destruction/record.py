"""The destruction record (biên bản tiêu hủy): an A4 PDF in Vietnamese (or English) with the
council's decision, time and place, members and procuracy, method and environmental record,
every item with its weights and result, the flags, and a signature block per member.

DejaVu Sans (shipped in ``labels/fonts``) is embedded, so the diacritics print and extract
correctly. Before the batch is closed every page carries a draft watermark. The words are
the ``record`` and ``destruction_record`` keys of the translation files; numbers, weights and
times go through the language's formatter.
"""

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .. import pdfdoc
from ..environment.record_section import estimate_flowables
from ..i18n import Translator, translator
from ..pdfdoc import BOLD, FONT, register_fonts
from .methods import MethodField, load_methods
from .schemas import BatchPublic


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=13)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=BOLD,
            fontSize=14,
            leading=18,
            alignment=TA_CENTER,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=11, leading=14, spaceBefore=8, spaceAfter=3
        ),
        "note": ParagraphStyle(
            "note", parent=base, fontSize=9, textColor=colors.red, alignment=TA_CENTER
        ),
    }


def _value(field: MethodField | None, value: Any, t: Translator) -> str:
    if isinstance(value, bool):
        return t("record.yes") if value else t("record.no")
    if isinstance(value, int | float) and field and field.unit == "min":
        return t.fmt.duration(float(value))
    if isinstance(value, int | float):
        text = t.number(float(value))
        return f"{text} {field.unit}" if field and field.unit else text
    return str(value)


def _fields_table(
    fields: tuple[MethodField, ...], values: dict[str, Any], t: Translator, st: dict[str, Any]
) -> list[Any]:
    known = {f.name: f for f in fields}
    rows = [
        [
            Paragraph(escape(known[k].label(t.lang) if k in known else k), st["base"]),
            Paragraph(escape(_value(known.get(k), v, t)), st["base"]),
        ]
        for k, v in values.items()
    ]
    if not rows:
        return []
    table = Table(rows, colWidths=[60 * mm, 110 * mm])
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.3, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    return [table]


def _flags(batch: BatchPublic, t: Translator) -> list[str]:
    out = []
    for item in batch.items:
        if item.weight_flagged:
            out.append(
                t(
                    "destruction_record.flag_weight",
                    code=item.code,
                    measured=t.weight(item.measured_weight_g),
                    recorded=t.weight(item.recorded_weight_g),
                    difference=t.percent(item.weight_difference_pct),
                    note=item.weight_note or "",
                )
            )
        if item.result == "excluded":
            out.append(
                t("destruction_record.flag_excluded", code=item.code, reason=item.exclusion_reason)
            )
        if item.override_reason:
            out.append(
                t("destruction_record.flag_override", code=item.code, reason=item.override_reason)
            )
    if batch.environmental_risk:
        out.append(t("destruction_record.flag_risk"))
    for member in batch.members:
        if member.handled_items:
            out.append(
                t(
                    "destruction_record.flag_member",
                    name=member.name,
                    codes=", ".join(member.handled_items),
                )
            )
    return out


def lateness_lines(batch: BatchPublic, t: Translator) -> list[str]:
    """The deadlines met late, as the procuracy checks them (vn-legal-context §4.3): the
    council for each item, the destruction for the batch."""
    lines = []
    late = [i for i in batch.items if i.council_days_late]
    for days in sorted({i.council_days_late for i in late if i.council_days_late}, reverse=True):
        codes = ", ".join(i.code for i in late if i.council_days_late == days)
        lines.append(t("cases_record.council_late", days=days, items=codes))
    if batch.destruction_days_late:
        lines.append(
            t(
                "cases_record.destruction_late",
                days=batch.destruction_days_late,
                due=t.date(batch.destruction_due_on),
            )
        )
    return lines


def render_record(
    batch: BatchPublic, lang: str = "vi", draft: bool = False, chain_head: str | None = None
) -> bytes:
    register_fonts()
    t, st = translator(lang), _styles()
    story: list[Any] = []
    header = Table(
        [
            [
                Paragraph(f"<b>{escape(batch.agency_name.upper())}</b>", st["center"]),
                Paragraph(f"<b>{t('record.nation')}</b><br/>{t('record.motto')}", st["center"]),
            ],
            [Paragraph(f"{t('record.number')}: {escape(batch.number)}", st["center"]), ""],
        ],
        colWidths=[80 * mm, 100 * mm],
    )
    story += [header, Paragraph(t("destruction_record.title"), st["title"])]
    if draft:
        story.append(Paragraph(t("destruction_record.draft_note"), st["note"]))
    elif t.lang != "vi":
        story.append(Paragraph(t("record.translation_note"), st["note"]))
    if batch.decision_number and batch.decision_date:
        story.append(
            Paragraph(
                escape(
                    t(
                        "destruction_record.decision",
                        number=batch.decision_number,
                        date=t.date(batch.decision_date),
                        issuer=batch.decision_issuer or "",
                    )
                ),
                st["base"],
            )
        )
    else:
        story.append(Paragraph(t("destruction_record.no_decision"), st["base"]))
    if batch.executed_at and batch.site:
        story.append(
            Paragraph(
                escape(
                    t(
                        "destruction_record.when",
                        time=t.fmt.time(batch.executed_at),
                        date=t.date(batch.executed_at),
                        site=batch.site,
                    )
                ),
                st["base"],
            )
        )
    else:
        story.append(Paragraph(t("destruction_record.when_pending"), st["base"]))
    for line in lateness_lines(batch, t):
        story.append(Paragraph(escape(line), st["base"]))

    role_name = {
        role: t(f"destruction_record.role_{role}")
        for role in ("chair", "member", "specialist", "procuracy")
    }
    council = [m for m in batch.members if m.role != "procuracy"]
    procuracy = [m for m in batch.members if m.role == "procuracy"]
    for title, people in (
        (t("destruction_record.members"), council),
        (t("destruction_record.procuracy"), procuracy),
    ):
        if not people:
            continue
        rows = [
            [
                Paragraph(f"<b>{t(f'destruction_record.{k}')}</b>", st["small"])
                for k in ("name", "position", "organisation", "role")
            ]
        ]
        rows += [
            [
                Paragraph(escape(m.name), st["small"]),
                Paragraph(escape(m.position), st["small"]),
                Paragraph(escape(m.organisation), st["small"]),
                Paragraph(role_name[m.role], st["small"]),
            ]
            for m in people
        ]
        table = Table(rows, colWidths=[50 * mm, 45 * mm, 50 * mm, 35 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ]
            )
        )
        story += [Paragraph(title, st["h2"]), table]

    methods = load_methods()
    method = methods.methods.get(batch.method or "")
    if batch.method:
        name = method.name(t.lang) if method else batch.method
        heading = f"{t('destruction_record.method')}: <b>{escape(name)}</b>"
        story.append(Paragraph(heading, st["h2"]))
        story += _fields_table(method.fields if method else (), batch.method_details, t, st)
        story.append(Paragraph(t("destruction_record.environment"), st["h2"]))
        story += _fields_table(methods.common_fields, batch.environment, t, st)
        story += estimate_flowables(batch.estimated_releases, batch.site_flags, t)
        if batch.safety_plan_ref:
            story.append(
                Paragraph(
                    f"{t('destruction_record.safety_plan')}: {escape(batch.safety_plan_ref)}",
                    st["base"],
                )
            )

    story.append(Paragraph(t("destruction_record.items"), st["h2"]))
    head = ["#"] + [
        t(f"destruction_record.{k}")
        for k in ("code", "case", "description", "seal", "recorded", "measured", "result")
    ]
    rows = [[Paragraph(f"<b>{h}</b>", st["small"]) for h in head]]
    for n, item in enumerate(batch.items, 1):
        seal = (
            t("record.none")
            if item.seal_intact is None
            else t(
                "destruction_record.seal_intact"
                if item.seal_intact
                else "destruction_record.seal_broken"
            )
        )
        result = t(f"destruction_record.result_{item.result.value if item.result else 'pending'}")
        if item.weight_flagged:
            result += " ⚠"
        rows.append(
            [
                Paragraph(str(n), st["small"]),
                Paragraph(escape(item.code), st["small"]),
                Paragraph(escape(item.judgment_number or ""), st["small"]),
                Paragraph(escape(item.description), st["small"]),
                Paragraph(seal, st["small"]),
                Paragraph(t.weight(item.recorded_weight_g) or t("record.none"), st["small"]),
                Paragraph(t.weight(item.measured_weight_g) or t("record.none"), st["small"]),
                Paragraph(result, st["small"]),
            ]
        )
    widths = [7, 27, 28, 38, 17, 21, 21, 21]
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    destroyed = [i for i in batch.items if i.result == "destroyed"]
    grams = sum((i.measured_weight_g or i.recorded_weight_g or 0.0) for i in destroyed)
    story.append(
        Paragraph(
            t(
                "destruction_record.summary",
                items=t.number(len(batch.items)),
                destroyed=t.number(len(destroyed)),
                excluded=t.number(sum(1 for i in batch.items if i.result == "excluded")),
                weight=t.weight(grams),
            ),
            st["base"],
        )
    )

    story.append(Paragraph(t("destruction_record.flags"), st["h2"]))
    flags = _flags(batch, t)
    story += [Paragraph("• " + escape(f), st["base"]) for f in flags] or [
        Paragraph(t("destruction_record.no_flags"), st["base"])
    ]
    if batch.photos:
        story.append(Paragraph(t("destruction_record.photos"), st["h2"]))
        story += [
            Paragraph(escape(f"{p.filename} — SHA-256 {p.sha256}"), st["small"])
            for p in batch.photos
        ]

    blocks = [
        Paragraph(
            f"<b>{role_name[m.role]}</b><br/>{t('record.sign_hint')}<br/><br/><br/><br/>"
            f"<b>{escape(m.name)}</b>",
            st["center"],
        )
        for m in batch.members
    ]
    if blocks:
        grid = [
            blocks[i : i + 2] + [""] * (2 - len(blocks[i : i + 2]))
            for i in range(0, len(blocks), 2)
        ]
        sign = Table(grid, colWidths=[90 * mm, 90 * mm])
        sign.setStyle(
            TableStyle(
                [("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 12)]
            )
        )
        story.append(
            KeepTogether(
                [Paragraph(t("destruction_record.signatures"), st["h2"]), Spacer(1, 2 * mm), sign]
            )
        )

    def decorate(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        if draft:
            canvas.setFont(BOLD, 72)
            canvas.setFillColor(colors.Color(0.85, 0.85, 0.85, alpha=0.5))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, 0, t("record.draft"))
            canvas.rotate(-45)
            canvas.translate(-A4[0] / 2, -A4[1] / 2)
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawRightString(
            A4[0] - 15 * mm, 10 * mm, f"{batch.number} — {t('record.page')} {doc.page}"
        )
        canvas.restoreState()

    return pdfdoc.build(
        story,
        f"{t('destruction_record.title')} {batch.number}",
        margins_mm=(15, 15, 15, 18),
        author=batch.agency_name,
        decorate=decorate,
        chain=(t("record_chain.footer"), chain_head) if chain_head else None,
    )
