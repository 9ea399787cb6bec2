"""The destruction record (biên bản tiêu hủy): an A4 PDF in Vietnamese (or English) with the
council's decision, time and place, members and procuracy, method and environmental record,
every item with its weights and result, the flags, and a signature block per member.

DejaVu Sans (shipped in ``labels/fonts``) is embedded, so the diacritics print and extract
correctly. Before the batch is closed every page carries a draft watermark.
"""

import io
from datetime import datetime, timedelta, timezone
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
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..pdfdoc import BOLD, FONT, register_fonts
from .methods import MethodField, load_methods
from .schemas import BatchPublic

VIETNAM = timezone(timedelta(hours=7))

TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "title": "BIÊN BẢN TIÊU HỦY VẬT CHỨNG",
        "number": "Số",
        "draft": "BẢN NHÁP",
        "draft_note": "Bản nháp: chưa khóa sổ, không có giá trị pháp lý.",
        "translation_note": "Bản dịch; bản chính là biên bản tiếng Việt đã khóa.",
        "decision": "Căn cứ Quyết định số {number} ngày {date} của {issuer} về việc thành lập "
        "Hội đồng tiêu hủy vật chứng.",
        "no_decision": "Chưa có quyết định thành lập Hội đồng tiêu hủy.",
        "when": "Hôm nay, hồi {time} ngày {date}, tại {site}, Hội đồng tiêu hủy vật chứng gồm:",
        "when_pending": "Thời gian, địa điểm tiêu hủy: chưa thực hiện.",
        "members": "Thành phần Hội đồng",
        "procuracy": "Đại diện Viện kiểm sát giám sát",
        "name": "Họ và tên",
        "position": "Chức vụ",
        "organisation": "Cơ quan",
        "role": "Vai trò",
        "chair": "Chủ tịch Hội đồng",
        "member": "Thành viên",
        "specialist": "Chuyên gia",
        "procuracy_role": "Kiểm sát viên",
        "method": "Phương pháp tiêu hủy",
        "environment": "Điều kiện môi trường, xử lý chất thải",
        "safety_plan": "Phương án bảo đảm an toàn (pháo)",
        "items": "Danh sách vật chứng",
        "code": "Mã",
        "case": "Bản án / vụ việc",
        "description": "Mô tả",
        "seal": "Niêm phong",
        "recorded": "KL sổ sách (g)",
        "measured": "KL cân lại (g)",
        "result": "Kết quả",
        "intact": "Còn nguyên",
        "broken": "Không nguyên vẹn",
        "unknown": "—",
        "destroyed": "Đã tiêu hủy",
        "excluded": "Loại ra",
        "pending": "Chưa xử lý",
        "summary": "Tổng cộng: {n} vật chứng, đã tiêu hủy {d}, loại ra {e}; khối lượng đã "
        "tiêu hủy {kg} kg.",
        "flags": "Các điểm lưu ý",
        "no_flags": "Không có.",
        "flag_weight": "Vật chứng {code}: khối lượng cân lại {m} g khác sổ sách {r} g "
        "({pct} %). Giải trình: {note}",
        "flag_risk": "Phương pháp tiêu hủy gây ảnh hưởng đến môi trường.",
        "flag_member": "{name} đã trực tiếp quản lý, giao nhận vật chứng: {codes}.",
        "flag_override": "Vật chứng {code} được đưa vào theo quyết định riêng của lãnh đạo: "
        "{reason}",
        "flag_excluded": "Vật chứng {code} được loại ra: {reason}",
        "photos": "Ảnh chụp kèm theo",
        "signatures": "Chữ ký các thành viên",
        "sign_hint": "(Ký, ghi rõ họ tên)",
        "page": "Trang",
        "yes": "có",
        "no": "không",
        "status": "Trạng thái",
    },
    "en": {
        "nation": "SOCIALIST REPUBLIC OF VIET NAM",
        "motto": "Independence - Freedom - Happiness",
        "title": "RECORD OF DESTRUCTION OF EXHIBITS",
        "number": "No.",
        "draft": "DRAFT",
        "draft_note": "Draft: the batch is not closed; this record has no legal value.",
        "translation_note": "Translation; the original is the closed Vietnamese record.",
        "decision": "Under decision No. {number} of {date} by {issuer} establishing the "
        "destruction council.",
        "no_decision": "The council has not been established yet.",
        "when": "At {time} on {date}, at {site}, the destruction council composed of:",
        "when_pending": "Time and place of destruction: not yet carried out.",
        "members": "Council members",
        "procuracy": "Procuracy supervising",
        "name": "Name",
        "position": "Position",
        "organisation": "Organisation",
        "role": "Role",
        "chair": "Chair",
        "member": "Member",
        "specialist": "Specialist",
        "procuracy_role": "Procurator",
        "method": "Method of destruction",
        "environment": "Environment and residue",
        "safety_plan": "Approved safety plan (fireworks)",
        "items": "Items",
        "code": "Code",
        "case": "Judgment / case",
        "description": "Description",
        "seal": "Seal",
        "recorded": "Recorded (g)",
        "measured": "Measured (g)",
        "result": "Result",
        "intact": "Intact",
        "broken": "Not intact",
        "unknown": "—",
        "destroyed": "Destroyed",
        "excluded": "Excluded",
        "pending": "Pending",
        "summary": "Total: {n} items, {d} destroyed, {e} excluded; weight destroyed {kg} kg.",
        "flags": "Flags",
        "no_flags": "None.",
        "flag_weight": "Item {code}: measured {m} g differs from the recorded {r} g "
        "({pct} %). Explanation: {note}",
        "flag_risk": "The method of destruction harms the environment.",
        "flag_member": "{name} handled items in this batch: {codes}.",
        "flag_override": "Item {code} was added by a manager's override: {reason}",
        "flag_excluded": "Item {code} was excluded: {reason}",
        "photos": "Photographs",
        "signatures": "Signatures of the members",
        "sign_hint": "(Signature and full name)",
        "page": "Page",
        "yes": "yes",
        "no": "no",
        "status": "Status",
    },
}


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


def _fmt_num(value: float | None) -> str:
    if value is None:
        return "—"
    # No thousands separator: Vietnamese and English read "1,000" differently.
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _value(field: MethodField | None, value: Any, t: dict[str, str]) -> str:
    if isinstance(value, bool):
        return t["yes"] if value else t["no"]
    if isinstance(value, int | float):
        text = _fmt_num(float(value))
        return f"{text} {field.unit}" if field and field.unit else text
    return str(value)


def _fields_table(
    fields: tuple[MethodField, ...], values: dict[str, Any], lang: str, st: dict[str, Any]
) -> list[Any]:
    t = TEXT[lang]
    known = {f.name: f for f in fields}
    rows = [
        [
            Paragraph(escape(known[k].label(lang) if k in known else k), st["base"]),
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


def _local(moment: datetime) -> datetime:
    return moment.astimezone(VIETNAM)


def _flags(batch: BatchPublic, t: dict[str, str]) -> list[str]:
    out = []
    for item in batch.items:
        if item.weight_flagged:
            out.append(
                t["flag_weight"].format(
                    code=item.code,
                    m=_fmt_num(item.measured_weight_g),
                    r=_fmt_num(item.recorded_weight_g),
                    pct=item.weight_difference_pct,
                    note=item.weight_note or "",
                )
            )
        if item.result == "excluded":
            out.append(t["flag_excluded"].format(code=item.code, reason=item.exclusion_reason))
        if item.override_reason:
            out.append(t["flag_override"].format(code=item.code, reason=item.override_reason))
    if batch.environmental_risk:
        out.append(t["flag_risk"])
    for member in batch.members:
        if member.handled_items:
            out.append(
                t["flag_member"].format(name=member.name, codes=", ".join(member.handled_items))
            )
    return out


def render_record(batch: BatchPublic, lang: str = "vi", draft: bool = False) -> bytes:
    register_fonts()
    lang = lang if lang in TEXT else "vi"
    t, st = TEXT[lang], _styles()
    story: list[Any] = []
    header = Table(
        [
            [
                Paragraph(f"<b>{escape(batch.agency_name.upper())}</b>", st["center"]),
                Paragraph(f"<b>{t['nation']}</b><br/>{t['motto']}", st["center"]),
            ],
            [Paragraph(f"{t['number']}: {escape(batch.number)}", st["center"]), ""],
        ],
        colWidths=[80 * mm, 100 * mm],
    )
    story += [header, Paragraph(t["title"], st["title"])]
    if draft:
        story.append(Paragraph(t["draft_note"], st["note"]))
    elif lang != "vi":
        story.append(Paragraph(t["translation_note"], st["note"]))
    if batch.decision_number and batch.decision_date:
        story.append(
            Paragraph(
                escape(
                    t["decision"].format(
                        number=batch.decision_number,
                        date=batch.decision_date.strftime("%d/%m/%Y"),
                        issuer=batch.decision_issuer or "",
                    )
                ),
                st["base"],
            )
        )
    else:
        story.append(Paragraph(t["no_decision"], st["base"]))
    if batch.executed_at and batch.site:
        when = _local(batch.executed_at)
        story.append(
            Paragraph(
                escape(
                    t["when"].format(
                        time=when.strftime("%H:%M"), date=when.strftime("%d/%m/%Y"), site=batch.site
                    )
                ),
                st["base"],
            )
        )
    else:
        story.append(Paragraph(t["when_pending"], st["base"]))

    role_name = {
        "chair": t["chair"],
        "member": t["member"],
        "specialist": t["specialist"],
        "procuracy": t["procuracy_role"],
    }
    council = [m for m in batch.members if m.role != "procuracy"]
    procuracy = [m for m in batch.members if m.role == "procuracy"]
    for title, people in ((t["members"], council), (t["procuracy"], procuracy)):
        if not people:
            continue
        rows = [
            [
                Paragraph(f"<b>{t[k]}</b>", st["small"])
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
        name = method.name(lang) if method else batch.method
        story.append(Paragraph(f"{t['method']}: <b>{escape(name)}</b>", st["h2"]))
        story += _fields_table(method.fields if method else (), batch.method_details, lang, st)
        story.append(Paragraph(t["environment"], st["h2"]))
        story += _fields_table(methods.common_fields, batch.environment, lang, st)
        if batch.safety_plan_ref:
            story.append(
                Paragraph(f"{t['safety_plan']}: {escape(batch.safety_plan_ref)}", st["base"])
            )

    story.append(Paragraph(t["items"], st["h2"]))
    head = [
        "#",
        t["code"],
        t["case"],
        t["description"],
        t["seal"],
        t["recorded"],
        t["measured"],
        t["result"],
    ]
    rows = [[Paragraph(f"<b>{h}</b>", st["small"]) for h in head]]
    for n, item in enumerate(batch.items, 1):
        seal = (
            t["unknown"]
            if item.seal_intact is None
            else (t["intact"] if item.seal_intact else t["broken"])
        )
        result = t[item.result.value] if item.result else t["pending"]
        if item.weight_flagged:
            result += " ⚠"
        rows.append(
            [
                Paragraph(str(n), st["small"]),
                Paragraph(escape(item.code), st["small"]),
                Paragraph(escape(item.judgment_number), st["small"]),
                Paragraph(escape(item.description), st["small"]),
                Paragraph(seal, st["small"]),
                Paragraph(_fmt_num(item.recorded_weight_g), st["small"]),
                Paragraph(_fmt_num(item.measured_weight_g), st["small"]),
                Paragraph(result, st["small"]),
            ]
        )
    widths = [7, 27, 31, 42, 17, 18, 18, 20]
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
            t["summary"].format(
                n=len(batch.items),
                d=len(destroyed),
                e=sum(1 for i in batch.items if i.result == "excluded"),
                kg=_fmt_num(grams / 1000),
            ),
            st["base"],
        )
    )

    story.append(Paragraph(t["flags"], st["h2"]))
    flags = _flags(batch, t)
    story += [Paragraph("• " + escape(f), st["base"]) for f in flags] or [
        Paragraph(t["no_flags"], st["base"])
    ]
    if batch.photos:
        story.append(Paragraph(t["photos"], st["h2"]))
        story += [
            Paragraph(escape(f"{p.filename} — SHA-256 {p.sha256}"), st["small"])
            for p in batch.photos
        ]

    blocks = [
        Paragraph(
            f"<b>{role_name[m.role]}</b><br/>{t['sign_hint']}<br/><br/><br/><br/>"
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
        story.append(KeepTogether([Paragraph(t["signatures"], st["h2"]), Spacer(1, 2 * mm), sign]))

    def decorate(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        if draft:
            canvas.setFont(BOLD, 72)
            canvas.setFillColor(colors.Color(0.85, 0.85, 0.85, alpha=0.5))
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, 0, t["draft"])
            canvas.rotate(-45)
            canvas.translate(-A4[0] / 2, -A4[1] / 2)
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"{batch.number} — {t['page']} {doc.page}")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=f"{t['title']} {batch.number}",
        author=batch.agency_name,
        invariant=True,
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()
