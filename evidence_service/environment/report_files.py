"""The environment report as files: XLSX and the official-looking A4 PDF a Cục/Phòng can
attach to a proposal to the People's Committee (Vietnamese; English as a translation). Both
are built from the same sections; the PDF adds a bar chart per section. Every sentence is from
the translation files (``environment_report``), every number through the locale's formatter.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether
from sqlmodel import Session

from .. import documents as d
from .. import pdfdoc
from ..checkpoints import current_anchor
from ..destruction.methods import load_methods
from ..documents import Document
from ..exports.stable import Kilograms, text_cell, workbook_bytes
from ..i18n import Translator, translator
from ..legal.holidays import local_today
from ..models import User
from .facilities import FacilityPublic
from .factors import load_factors
from .numbers import significant
from .report import EnvironmentReport, Release

Section = tuple[str, list[str], list[list[Any]]]
KIND = "environment_report"  # documents/layouts/environment_report.toml


def method_name(key: str, lang: str) -> str:
    method = load_methods().methods.get(key)
    return method.name(lang) if method else key


def group_name(key: str, lang: str) -> str:
    group = next((g for g in load_factors().groups if g.id == key), None)
    return group.name(lang) if group else key


def _pollutant(key: str, lang: str) -> str:
    pollutant = load_factors().pollutants.get(key)
    return pollutant.name(lang) if pollutant else key


def _profile(key: str, lang: str) -> str:
    profile = load_factors().profiles.get(key)
    return profile.name(lang) if profile else key


def _range(t: Translator, r: Release) -> str:
    if r.low is None or r.high is None:
        return ""
    return f"{significant(t, r.low)} – {significant(t, r.high)}"


def sections(data: EnvironmentReport, t: Translator) -> list[Section]:
    lang, c = t.lang, "environment_report.col_"
    out: list[Section] = []
    out.append(
        (
            t("environment_report.section_destroyed"),
            [t(c + "method"), t(c + "group"), t(c + "items"), t(c + "weight")],
            [
                [
                    method_name(x.method, lang),
                    group_name(x.material_group, lang),
                    x.items,
                    Kilograms(x.weight_kg),
                ]
                for x in data.by_method_material
            ]
            + [
                [
                    t("environment_report.total"),
                    "",
                    data.totals.items,
                    Kilograms(data.totals.weight_kg),
                ]
            ],
        )
    )
    risky = data.totals.environmentally_risky
    out.append(
        (
            t("environment_report.section_risky"),
            [t(c + "items"), t(c + "share_items"), t(c + "weight"), t(c + "share_weight")],
            [
                [
                    risky.items,
                    t.percent(risky.items_pct, 2),
                    Kilograms(risky.weight_kg),
                    t.percent(risky.weight_pct, 2),
                ]
            ],
        )
    )
    rows: list[list[Any]] = []
    for m in data.releases:
        at = {(r.profile, r.pollutant): r for r in m.at_alternatives}
        avoided = {(r.profile, r.pollutant): r for r in m.avoided}
        for r in m.actual:
            inc, kiln = (
                at.get(("licensed_incineration", r.pollutant)),
                at.get(("cement_kiln", r.pollutant)),
            )
            gone = avoided.get(("licensed_incineration", r.pollutant))
            values = [r.value, inc.value if inc else None, kiln.value if kiln else None]
            if all(v is None for v in values):
                continue  # nothing known for this pollutant: named once below the table
            rows.append(
                [
                    method_name(m.method, lang),
                    f"{_pollutant(r.pollutant, lang)} ({r.unit})",
                    significant(t, r.value) + ("" if r.complete or r.value is None else " *"),
                    _range(t, r),
                    significant(t, values[1]),
                    significant(t, values[2]),
                    significant(t, gone.value if gone else None),
                ]
            )
    out.append(
        (
            t("environment_report.section_releases"),
            [
                t(c + "method"),
                t(c + "pollutant"),
                t(c + "actual"),
                t(c + "range"),
                t("environment_record.at_incinerator"),
                t("environment_record.at_cement_kiln"),
                t("environment_record.avoided"),
            ],
            rows,
        )
    )
    out.append(
        (
            t("environment_report.section_freed"),
            [t(c + "warehouse"), t(c + "items"), t(c + "weight"), t(c + "volume")],
            [
                [f.warehouse_code, f.items, Kilograms(f.weight_kg), t.number(f.volume_l)]
                for f in data.freed
            ],
        )
    )
    waiting = []
    for p in data.waiting.proposals:
        if p.distance is not None:
            distance = t(
                "environment_report.distance_value",
                road=t.number(p.distance.road_km, 1),
                straight=t.number(p.distance.straight_km, 1),
                factor=t.number(p.distance.road_factor, 2),
                hours=t.number(p.distance.road_hours, 1),
                speed=t.number(p.distance.average_speed_kmh, 0),
            )
        else:
            distance = t("environment_report.distance_unknown")
        waiting.append(
            [
                f"{p.warehouse_code} · {group_name(p.material_group, lang)}",
                p.freed_total.items,
                Kilograms(p.freed_total.net_weight_kg),
                t.date(p.earliest_due_on)
                if p.earliest_due_on
                else t("environment_report.no_deadline"),
                t.date(p.warehouse_full_on_after)
                if p.warehouse_full_on_after
                else t("environment_report.not_filling"),
                facility_name(p.facility, t),
                distance,
            ]
        )
    out.append(
        (
            t("environment_report.section_waiting"),
            [
                t(c + "proposal"),
                t(c + "items"),
                t(c + "weight"),
                t(c + "due"),
                t(c + "full_on_after"),
                t(c + "facility"),
                t(c + "distance"),
            ],
            waiting,
        )
    )
    return out


def facility_name(facility: FacilityPublic | None, t: Translator) -> str:
    """The proposal's facility, marked when its licence was not checked against the permit."""
    if facility is None:
        return t("env20_environment_report.facility_none")
    if facility.verified:
        return facility.name
    return f"{facility.name} ({t('env20_environment_report.unverified')})"


def missing_note(data: EnvironmentReport, t: Translator) -> str:
    """The pollutants no source read gave a factor for, for any method of the period: named
    once under the releases, rather than a row of empty cells each."""
    known = {
        r.pollutant
        for m in data.releases
        for r in [*m.actual, *m.at_alternatives]
        if r.value is not None
    }
    unknown = [p for p in load_factors().pollutants if p not in known]
    if not unknown:
        return ""
    names = ", ".join(_pollutant(p, t.lang) for p in unknown)
    return t("environment_report_more.no_factor_for", pollutants=names)


def appendix(data: EnvironmentReport, t: Translator) -> Section:
    c = "environment_report.col_"
    return (
        t("environment_report.section_appendix"),
        [
            t(c + "batch"),
            t(c + "item"),
            t(c + "method"),
            t(c + "group"),
            t(c + "weight"),
            t(c + "sources"),
        ],
        [
            [
                a.batch_number,
                a.item_code,
                method_name(a.method, t.lang),
                group_name(a.material_group, t.lang),
                Kilograms(a.weight_kg),
                ", ".join(a.factor_sources) or t("environment_report.no_factor"),
            ]
            for a in data.appendix
        ],
    )


def _period(data: EnvironmentReport, t: Translator) -> str:
    if data.date_from is None and data.date_to is None:
        return t("environment_report.period_all")
    return t(
        "environment_report.period",
        start=t.date(data.date_from) if data.date_from else "…",
        end=t.date(data.date_to) if data.date_to else "…",
    )


def _lines(data: EnvironmentReport, t: Translator) -> list[str]:
    lines = [_period(data, t)]
    if data.province:
        lines.append(t("environment_report.province", province=data.province))
    return lines


def report_xlsx(data: EnvironmentReport, lang: str = "vi") -> bytes:
    t = translator(lang)
    rows: list[list[Any]] = [[t("environment_report.title")], *[[x] for x in _lines(data, t)]]
    rows += [[t("environment_report.estimate_note")], []]
    for n, (name, head, body) in enumerate([*sections(data, t), appendix(data, t)]):
        rows += [[name], head, *body]
        rows += [[missing_note(data, t)], []] if n == 2 else [[]]
    rows += [[t("environment_report.section_sources")]]
    rows += [[k, v] for k, v in data.sources.items()]
    stamp = datetime(2000, 1, 1, tzinfo=UTC)
    return workbook_bytes(
        [(t("environment_report.sheet"), rows, [34, 26, 14, 18, 26, 16, 16])],
        t("environment_report.title"),
        stamp,
    )


def bar_chart(pairs: Sequence[tuple[str, float, str]], width_mm: float = 170) -> Drawing:
    """Horizontal bars (label, value, value as text) drawn in the PDF: a chart of a table."""
    regular, _ = pdfdoc.register_fonts()
    row, label_w = 6 * mm, 72 * mm
    width = width_mm * mm
    drawing = Drawing(width, row * max(len(pairs), 1) + 2 * mm)
    peak = max((v for _, v, _ in pairs), default=0.0) or 1.0
    room = width - label_w - 30 * mm
    for n, (label, value, text) in enumerate(pairs):
        y = drawing.height - (n + 1) * row
        short = label if len(label) <= 52 else label[:51] + "…"
        drawing.add(String(0, y + 1.5 * mm, short, fontName=regular, fontSize=7))
        w = max(value, 0.0) / peak * room
        drawing.add(
            Rect(
                label_w,
                y + 0.8 * mm,
                w,
                row - 2 * mm,
                fillColor=colors.HexColor("#5b7fa6"),
                strokeColor=None,
            )
        )
        drawing.add(
            String(label_w + w + 1.5 * mm, y + 1.5 * mm, text, fontName=regular, fontSize=7)
        )
    return drawing


def _charts(data: EnvironmentReport, t: Translator) -> dict[int, Drawing]:
    by_method: dict[str, float] = {}
    for x in data.by_method_material:
        by_method[x.method] = by_method.get(x.method, 0.0) + x.weight_kg
    charts = {
        0: bar_chart(
            [
                (method_name(k, t.lang), v, t.fmt.weight(v * 1000, unit="kg"))
                for k, v in sorted(by_method.items())
            ]
        ),
        3: bar_chart(
            [
                (f.warehouse_code, f.weight_kg, t.fmt.weight(f.weight_kg * 1000, unit="kg"))
                for f in data.freed
            ]
        ),
        4: bar_chart(
            [
                (
                    f"{p.warehouse_code} · {group_name(p.material_group, t.lang)}",
                    p.freed_total.net_weight_kg,
                    t.fmt.weight(p.freed_total.net_weight_kg * 1000, unit="kg"),
                )
                for p in data.waiting.proposals
            ]
        ),
    }
    pairs = []
    for m in data.releases:
        for r in m.avoided:
            if r.value is not None and r.value > 0:
                pairs.append(
                    (
                        f"{method_name(m.method, t.lang)} → {_profile(r.profile, t.lang)}: "
                        f"{_pollutant(r.pollutant, t.lang)}",
                        r.value,
                        f"{significant(t, r.value)} {r.unit}",
                    )
                )
    if pairs:
        charts[2] = bar_chart(pairs)
    return charts


def report_frame(session: Session, user: User, lang: str = "vi") -> Document:
    """The report's frame on the document engine: the user's agency as issuer, today (in Viet
    Nam), the custody chain's head in the footer. Printed on demand, never stored: its "Số" is
    left for the agency to fill in."""
    return Document(
        kind=KIND,
        lang=lang,
        agency=d.agency_header(session, user.agency_id),
        day=local_today(),
        chain_head=current_anchor(session).printed(),
    )


def _columns(head: list[str], widths: list[float]) -> list[d.Column]:
    return [d.Column(h, w) for h, w in zip(head, widths, strict=True)]


def report_pdf(data: EnvironmentReport, doc: Document) -> bytes:
    t = doc.t
    body: list[Any] = [*[d.para(x, "center") for x in _lines(data, t)], d.spacer()]
    body.append(d.para(t("environment_report.estimate_note"), "small"))
    charts = _charts(data, t)
    widths = {4: [50.0, 30.0, 40.0, 55.0], 7: [28.0, 27.0, 20.0, 24.0, 27.0, 25.0, 24.0]}
    for n, (name, head, body_rows) in enumerate(sections(data, t)):
        block: list[Any] = [d.heading(name)]
        if n in charts and body_rows:
            block.append(charts[n])
        body.append(KeepTogether(block))
        cells = [[text_cell(x, t) for x in r] for r in body_rows] or [
            [t("environment_report.none")] + [""] * (len(head) - 1)
        ]
        body.append(
            d.table(_columns(head, widths.get(len(head), [175 / len(head)] * len(head))), cells)
        )
        if n == 2:
            missing = missing_note(data, t)
            body += [d.para(missing, "small")] if missing else []
            body.append(d.para(t("environment_report.partial_note"), "small"))
    body += [d.spacer(6)]
    body += d.signatures(
        t,
        [
            d.Signer(t("environment_report.signer_maker")),
            d.Signer(t("environment_report.signer_head")),
        ],
    )
    name, head, rows = appendix(data, t)
    body.append(d.heading(name))
    cells = [[text_cell(x, t) for x in r] for r in rows] or [
        [t("environment_report.none")] + [""] * 5
    ]
    body.append(d.table(_columns(head, [24.0, 30.0, 36.0, 34.0, 24.0, 27.0]), cells))
    body.append(d.heading(t("environment_report.section_sources")))
    body += [d.para(f"{k}: {v}", "small") for k, v in data.sources.items()]
    return d.render(doc, body)
