"""The destruction record (biên bản tiêu hủy vật chứng, tài sản), built on the document engine
(``documents``; layout ``documents/layouts/destruction_record.toml``).

What it states follows Circular 04/2023 Art. 12(1), Decree 152/2026 Art. 40(2) and
vn-legal-context §7 "Destruction record", field by field as vn-documents-review lists them:
the legal basis of the regime in force on the day, the council decision and the judgments and
enforcement decisions covered; the start and end in words, local time; members, the
procuracy, the other attendees and the contractor with its contract; per line the acts, the
entry and exit slips, quantity and unit, weights, the seal as checked, the condition before
destruction, the method and the result; the method's and the environment's record; the
issues (seals not intact, weights, exclusions); the lateness; the conclusion, the copies and
a signature block per person.

The record is a sequence of sections (:data:`SECTIONS`): another section is one more entry
(``SECTIONS.insert(i, section)`` or ``append``). Words: the ``docs_destruction`` keys of the
translation files; numbers, weights, durations and dates through the language's formatter.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from reportlab.platypus import Flowable

from .. import documents as d
from ..documents import AgencyHeader, Column, Document, Signer
from ..documents.agency import TOP_BODY
from ..environment.record_section import estimate_flowables
from ..i18n import Translator, translator
from ..i18n.formatting import local_day
from ..legal.deadlines import load_table
from ..legal.holidays import local_today
from .checking import seal_problem
from .methods import MethodField, load_methods
from .schemas import BatchItemPublic, BatchPublic, SealSeen

KIND = "destruction_record"
Section = Callable[[BatchPublic, Document], list[Flowable]]


def field_value(field: MethodField | None, value: Any, t: Translator) -> str:
    """A method or environment field's value in the reader's words and numbers (the record
    and the batch page alike)."""
    if isinstance(value, bool):
        return t("record.yes") if value else t("record.no")
    if isinstance(value, int | float) and field and field.unit == "min":
        return t.fmt.duration(float(value))
    if isinstance(value, int | float):
        text = t.number(float(value))
        return f"{text} {field.unit}" if field and field.unit else text
    return str(value)


def field_label(field: MethodField, t: Translator) -> str:
    # A duration reads "1 giờ 30 phút" in its value: its label needs no "(min)".
    return field.label(t.lang) if field.unit != "min" else field.label(t.lang).split(" (")[0]


def _fields(fields: tuple[MethodField, ...], values: dict[str, Any], t: Translator) -> list[Any]:
    known = {f.name: f for f in fields}

    rows = [
        (field_label(known[k], t) if k in known else k, field_value(known.get(k), v, t))
        for k, v in values.items()
    ]
    return [d.pairs(rows)] if rows else []


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


def _acts(batch: BatchPublic, t: Translator) -> list[str]:
    seen: list[str] = []
    for item in batch.items:
        if item.judgment_number:
            seen.append(t("docs_destruction.judgment", number=item.judgment_number))
        seen += [
            t("docs_destruction.enforcement_decision", number=n) for n in item.enforcement_decisions
        ]
    return list(dict.fromkeys(seen))


def basis(batch: BatchPublic, doc: Document) -> list[Flowable]:
    t = doc.t
    extra = []
    if batch.decision_number and batch.decision_date:
        extra.append(
            t(
                "docs_destruction.council_decision",
                number=batch.decision_number,
                date=t.date(batch.decision_date),
                issuer=batch.decision_issuer or "",
            )
        )
    else:
        extra.append(t("docs_destruction.no_decision"))
    if acts := _acts(batch, t):
        extra.append(t("docs_destruction.acts_covered", acts="; ".join(acts)))
    return d.basis(doc, extra)


def opening(batch: BatchPublic, doc: Document) -> list[Flowable]:
    t = doc.t
    if batch.executed_at and batch.site:
        text = t(
            "docs_destruction.opening",
            moment=d.moment_words(t, batch.executed_at),
            site=batch.site,
        )
    else:
        text = t("docs_destruction.opening_pending")
    return [d.spacer(2), d.para(text)]


def _people(t: Translator, rows: list[tuple[str, str, str, str]]) -> Flowable:
    return d.table(
        [
            Column(t("docs_destruction.col_no"), 10, right=True),
            Column(t("docs_destruction.name"), 45),
            Column(t("docs_destruction.position"), 40),
            Column(t("docs_destruction.organisation"), 45),
            Column(t("docs_destruction.role"), 35),
        ],
        [[n, *row] for n, row in enumerate(rows, 1)],
    )


def members(batch: BatchPublic, doc: Document) -> list[Flowable]:
    t = doc.t
    council = [m for m in batch.members if m.role != "procuracy"]
    procuracy = [m for m in batch.members if m.role == "procuracy"]
    out: list[Flowable] = [d.heading(t("docs_destruction.members"))]
    out.append(
        _people(
            t,
            [
                (m.name, m.position, m.organisation, t(f"docs_destruction.role_{m.role.value}"))
                for m in council
            ],
        )
        if council
        else d.para(t("docs_engine.none"))
    )
    out.append(d.heading(t("docs_destruction.procuracy")))
    out.append(
        _people(
            t,
            [
                (m.name, m.position, m.organisation, t("docs_destruction.role_procuracy"))
                for m in procuracy
            ],
        )
        if procuracy
        else d.para(t("docs_destruction.no_procuracy"))
    )
    out.append(d.heading(t("docs_destruction.attendees")))
    out.append(
        _people(
            t,
            [
                (a.name, a.position, a.organisation, t(f"docs_destruction.attendee_{a.kind.value}"))
                for a in batch.attendees
            ],
        )
        if batch.attendees
        else d.para(t("docs_destruction.no_attendees"))
    )
    if batch.contractor:
        c = batch.contractor
        out.append(
            d.para(
                t(
                    "docs_destruction.contractor",
                    name=c.name,
                    licence=c.licence or t("docs_engine.none"),
                    contract_number=c.contract_number,
                    contract_date=t.date(c.contract_date),
                )
            )
        )
    return out


_SEALS = {s: f"docs_destruction.seal_{s.value}" for s in SealSeen}


def _seal(item: BatchItemPublic, t: Translator) -> str:
    number = item.seal_number_seen or item.seal_number
    state = (
        t(_SEALS[item.seal_state_seen])
        if item.seal_state_seen
        else t("docs_destruction.seal_unknown")
    )
    text = f"{number}\n{state}" if number else state
    return f"{text} ⚠" if seal_problem(item) else text


def _line(n: int, item: BatchItemPublic, t: Translator) -> list[Any]:
    none = t("docs_engine.none")
    methods = load_methods().methods
    method = methods.get(item.method or "")
    acts = [item.judgment_number or none] + item.enforcement_decisions
    slips = [
        t("docs_destruction.entry_slip", number=item.entry_slip_no or none),
        t("docs_destruction.exit_slip", number=item.exit_slip_no or none),
    ]
    unit = t.maybe(f"unit.{item.unit}", item.unit)
    weights = (
        f"{t.weight(item.recorded_weight_g) or none}\n{t.weight(item.measured_weight_g) or none}"
    )
    result = t(f"docs_destruction.result_{item.result.value if item.result else 'pending'}")
    return [
        n,
        "\n".join(acts),
        "\n".join(slips),
        f"{item.description}\n{item.code}",
        f"{t.number(item.quantity)} {unit}",
        weights,
        _seal(item, t),
        item.condition_before or item.condition or none,
        method.name(t.lang) if method else (item.method or none),
        result + (" ⚠" if item.weight_flagged else ""),
    ]


def items(batch: BatchPublic, doc: Document) -> list[Flowable]:
    t = doc.t
    columns = [
        Column(t("docs_destruction.col_no"), 9, right=True),
        Column(t("docs_destruction.col_acts"), 21),
        Column(t("docs_destruction.col_slips"), 19),
        Column(t("docs_destruction.col_item"), 25),
        Column(t("docs_destruction.col_quantity"), 14, right=True),
        Column(t("docs_destruction.col_weight"), 16, right=True),
        Column(t("docs_destruction.col_seal"), 23),
        Column(t("docs_destruction.col_condition"), 20),
        Column(t("docs_destruction.col_method"), 15),
        Column(t("docs_destruction.col_result"), 13),
    ]
    destroyed = [i for i in batch.items if i.result == "destroyed"]
    grams = sum((i.measured_weight_g or i.recorded_weight_g or 0.0) for i in destroyed)
    return [
        d.heading(t("docs_destruction.items")),
        d.para(t("docs_destruction.items_intro")),
        d.spacer(1),
        d.table(columns, [_line(n, i, t) for n, i in enumerate(batch.items, 1)]),
        d.spacer(1),
        d.para(
            t(
                "docs_destruction.summary",
                items=t.number(len(batch.items)),
                destroyed=t.number(len(destroyed)),
                excluded=t.number(sum(1 for i in batch.items if i.result == "excluded")),
                weight=t.weight(grams) or t.weight(0),
            )
        ),
    ]


def method(batch: BatchPublic, doc: Document) -> list[Flowable]:
    if not batch.method:
        return []
    t = doc.t
    table = load_methods()
    chosen = table.methods.get(batch.method)
    out: list[Flowable] = [
        d.heading(t("docs_destruction.method")),
        d.para(
            t("docs_destruction.method_batch", name=chosen.name(t.lang) if chosen else batch.method)
        ),
    ]
    out += _fields(chosen.fields if chosen else (), batch.method_details, t)
    if batch.environment:
        out += [d.para(t("docs_destruction.environment"), "left"), d.spacer(1)]
        out += _fields(table.common_fields, batch.environment, t)
    if batch.safety_plan_ref:
        out.append(d.para(t("docs_destruction.safety_plan", ref=batch.safety_plan_ref)))
    return out


def issue_lines(batch: BatchPublic, t: Translator) -> list[str]:
    none = t("docs_engine.none")
    out = []
    for item in batch.items:
        if seal_problem(item):
            differs = (
                item.seal_number
                and item.seal_number_seen
                and "".join(item.seal_number.split()).upper()
                != "".join(item.seal_number_seen.split()).upper()
            )
            if differs:
                out.append(
                    t(
                        "docs_destruction.seal_number_differs",
                        code=item.code,
                        seen=item.seal_number_seen,
                        recorded=item.seal_number,
                        note=item.seal_note or none,
                    )
                )
            else:
                state = item.seal_state_seen or SealSeen.torn
                out.append(
                    t(
                        "docs_destruction.seal_not_intact",
                        code=item.code,
                        seal=item.seal_number_seen or item.seal_number or none,
                        state=t(_SEALS[state]).lower(),
                        note=item.seal_note or none,
                    )
                )
        if item.weight_flagged:
            out.append(
                t(
                    "docs_destruction.flag_weight",
                    code=item.code,
                    measured=t.weight(item.measured_weight_g),
                    recorded=t.weight(item.recorded_weight_g),
                    difference=t.percent(item.weight_difference_pct),
                    note=item.weight_note or none,
                )
            )
        if item.result == "excluded":
            out.append(
                t("docs_destruction.flag_excluded", code=item.code, reason=item.exclusion_reason)
            )
        if item.override_reason:
            out.append(
                t("docs_destruction.flag_override", code=item.code, reason=item.override_reason)
            )
    if batch.environmental_risk:
        out.append(t("docs_destruction.flag_risk"))
    for member in batch.members:
        if member.handled_items:
            out.append(
                t(
                    "docs_destruction.flag_member",
                    name=member.name,
                    codes=", ".join(member.handled_items),
                )
            )
    return out


def issues(batch: BatchPublic, doc: Document) -> list[Flowable]:
    t = doc.t
    return [
        d.heading(t("docs_destruction.issues")),
        *d.bullets(issue_lines(batch, t), empty=t("docs_destruction.no_issues")),
    ]


def lateness(batch: BatchPublic, doc: Document) -> list[Flowable]:
    t = doc.t
    return [
        d.heading(t("docs_destruction.lateness")),
        *d.bullets(lateness_lines(batch, t), empty=t("docs_destruction.on_time")),
    ]


def closing(batch: BatchPublic, doc: Document) -> list[Flowable]:
    t = doc.t
    out: list[Flowable] = [d.heading(t("docs_destruction.closing"))]
    if batch.ended_at and batch.executed_at:
        minutes = (batch.ended_at - batch.executed_at).total_seconds() / 60
        out.append(
            d.para(
                t(
                    "docs_destruction.ended",
                    moment=d.moment_words(t, batch.ended_at, mid_sentence=True),
                    duration=t.fmt.duration(minutes),
                )
            )
        )
    else:
        out.append(d.para(t("docs_destruction.ended_pending")))
    destroyed = sum(1 for i in batch.items if i.result == "destroyed")
    text = batch.conclusion or t(
        "docs_destruction.conclusion_default", destroyed=t.number(destroyed)
    )
    out.append(d.para(t("docs_destruction.conclusion", text=text)))
    if batch.photos:
        out.append(d.para(t("docs_destruction.photos"), "left"))
        out += [d.para(f"{p.filename} — {p.sha256}", "small") for p in batch.photos]
    out += [d.spacer(2), d.para(t("docs_destruction.read_and_signed")), *d.copies(doc)]
    return out


def signatures(batch: BatchPublic, doc: Document) -> list[Flowable]:
    t = doc.t
    order = {"chair": 0, "member": 1, "specialist": 2, "procuracy": 3}
    signers = [
        Signer(
            t("docs_destruction.sign_procuracy")
            if m.role == "procuracy"
            else t(f"docs_destruction.role_{m.role.value}"),
            m.name,
            m.position,
        )
        for m in sorted(batch.members, key=lambda m: order.get(m.role.value, 9))
    ]
    signers += [
        Signer(t(f"docs_destruction.attendee_{a.kind.value}"), a.name, a.position)
        for a in batch.attendees
    ]
    return [d.heading(t("docs_destruction.signatures")), *d.signatures(t, signers)]


# The record, in order. One more section is one more entry here.
def estimate(batch: BatchPublic, doc: Document) -> list[Flowable]:
    """ "Ước tính phát thải": the environment's section (``environment/record_section.py``)."""
    return estimate_flowables(batch.estimated_releases, batch.site_flags, doc.t)


SECTIONS: list[Section] = [
    basis,
    opening,
    members,
    items,
    method,
    estimate,
    issues,
    lateness,
    closing,
    signatures,
]


def record_day(batch: BatchPublic) -> date:
    """The date of the record's place/date line: the day the destruction ended (or began),
    in Viet Nam; before it, today."""
    moment = batch.ended_at or batch.executed_at
    return local_day(moment) if moment else local_today()


def render_record(
    batch: BatchPublic,
    lang: str = "vi",
    draft: bool = False,
    chain_head: str | None = None,
    header: AgencyHeader | None = None,
    number: str | None = None,
) -> bytes:
    """The record as PDF bytes. ``header``: the issuing agency (``documents.agency_header``);
    ``number``: the record's "Số" once final."""
    day = record_day(batch)
    t = translator(lang)
    doc = Document(
        kind=KIND,
        lang=lang,
        agency=header
        or AgencyHeader(
            parent=TOP_BODY,
            name=batch.agency_name,
            place=d.place_of([batch.agency_name]),
        ),
        day=day,
        number=number,
        regime=load_table().regime_on(day),
        chain_head=chain_head,
        draft=draft,
        subtitle=t("docs_destruction.subtitle", batch=batch.number),
    )
    body: list[Flowable] = []
    for section in SECTIONS:
        body += section(batch, doc)
    return d.render(doc, body, author=batch.agency_name)
