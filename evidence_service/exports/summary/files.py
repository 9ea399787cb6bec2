"""The summary as XLSX and PDF: the agency header, number, date and addressee, the title and
period, then its sections: the balance with every exit kind (items, weight, cases), the
backlog split, by category, destruction by method, the stock by time held, the warehouses.
Words: the ``summary`` and ``ledger15_summary`` keys; the period compared with beside."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ... import documents
from ...i18n import Translator, translator
from ...periods import period_label
from ..stable import Kilograms, text_cell, workbook_bytes
from .figures import BACKLOG, CATEGORY_MEASURES, ROWS, PeriodFigures, Tally, method_name
from .report import Summary

Section = tuple[str, list[str], list[list[Any]]]


def row_name(row: str, t: Translator) -> str:
    if row.startswith("out_") and row != "out_total":
        return t("ledger15.out_kind", kind=t(f"ledger15.exit_{row[4:]}"))
    return t(f"ledger15_summary.row_{row}")


def _pair(cur: Tally, prev: Tally) -> list[Any]:
    return [cur.count, Kilograms(cur.weight_kg), prev.count, Kilograms(prev.weight_kg)]


@dataclass
class Header:
    """The lines above the tables."""

    agency: list[str]  # the parent body, the agency
    number: str
    date_line: str
    title: str
    span: str
    addressee: str
    compared: str
    notes: list[str]  # "to be confirmed" for a statistical period

    def lines(self) -> list[str]:
        return [
            *self.agency,
            self.number,
            self.date_line,
            self.title,
            self.span,
            self.addressee,
            self.compared,
            *self.notes,
        ]


def header(data: Summary, t: Translator) -> Header:
    agency = []
    if data.agency is not None:
        if data.agency.parent:
            agency.append(data.agency.parent.upper())
        agency.append(data.agency.name.upper())
    cur, d = data.current, data.made_on
    return Header(
        agency=agency,
        number=t("ledger15_summary.number"),
        date_line=t(
            "ledger15_summary.date_line", day=f"{d.day:02d}", month=f"{d.month:02d}", year=d.year
        ),
        title=title(data, t),
        span=t("ledger15_summary.span", start=t.date(cur.start), end=t.date(cur.last_day)),
        addressee=t(
            "ledger15_summary.addressee",
            addressee=data.addressee or t("ledger15_summary.addressee_central"),
        ),
        compared=t("summary.compared", period=period_label(data.previous.period, t)),
        notes=[]
        if cur.confirmed
        else [
            t("ledger15_summary.to_confirm", source=cur.source_vi if t.lang == "vi" else cur.source)
        ],
    )


def title(data: Summary, t: Translator) -> str:
    return t("summary.title", period=period_label(data.current.period, t).upper())


def sections(data: Summary, t: Translator) -> list[Section]:
    cur, prev = data.current, data.previous
    head = [
        "",
        t("ledger15_summary.col_items", period=cur.period),
        t("ledger15_summary.col_weight", period=cur.period),
        t("ledger15_summary.col_cases", period=cur.period),
        t("ledger15_summary.col_items", period=prev.period),
        t("ledger15_summary.col_weight", period=prev.period),
        t("ledger15_summary.col_cases", period=prev.period),
    ]

    def counted(c: PeriodFigures, row: str) -> list[Any]:
        return [c.totals[row].count, Kilograms(c.totals[row].weight_kg), c.cases[row]]

    balance = [[row_name(r, t), *counted(cur, r), *counted(prev, r)] for r in ROWS]
    b = cur.balance
    balance.append(
        [
            t(
                "ledger15_summary.check",
                opening=t.number(b.opening.count),
                received=t.number(b.received.count),
                out=t.number(b.out_total.count),
                closing=t.number(b.closing.count),
            ),
            *[""] * 6,
        ]
    )
    split_head = [
        "",
        t("ledger15_summary.col_backlog_cases", period=cur.period),
        t("ledger15_summary.col_items", period=cur.period),
        t("ledger15_summary.col_weight", period=cur.period),
        t("ledger15_summary.col_backlog_cases", period=prev.period),
        t("ledger15_summary.col_items", period=prev.period),
        t("ledger15_summary.col_weight", period=prev.period),
    ]
    split = [
        [
            t(f"ledger15_summary.backlog_{a.key}"),
            a.cases,
            a.tally.count,
            Kilograms(a.tally.weight_kg),
            p.cases,
            p.tally.count,
            Kilograms(p.tally.weight_kg),
        ]
        for a, p in zip(cur.backlog, prev.backlog, strict=True)
    ]
    assert [a.key for a in cur.backlog] == BACKLOG
    out: list[Section] = [
        (t("ledger15_summary.section_balance"), head, balance),
        (t("ledger15_summary.section_backlog_split"), split_head, split),
    ]
    pair_head = [
        "",
        t("summary.col_count", period=cur.period),
        t("ledger15_summary.col_weight", period=cur.period),
        t("summary.col_count", period=prev.period),
        t("ledger15_summary.col_weight", period=prev.period),
    ]
    for n, m in enumerate(CATEGORY_MEASURES, start=1):
        rows = [
            [t.maybe(f"category.{c}", c), *_pair(cur.by_category[m][c], prev.by_category[m][c])]
            for c in sorted(cur.by_category[m])
            if cur.by_category[m][c].count or prev.by_category[m][c].count
        ]
        out.append(
            (
                t("ledger15_summary.section_category", n=n, measure=row_name(m, t)),
                pair_head,
                rows,
            )
        )
    methods = sorted({line.key for line in cur.destroyed_by_method + prev.destroyed_by_method})
    cur_m = {line.key: line.tally for line in cur.destroyed_by_method}
    prev_m = {line.key: line.tally for line in prev.destroyed_by_method}
    out.append(
        (
            t("ledger15_summary.section_methods"),
            pair_head,
            [
                [method_name(k, t), *_pair(cur_m.get(k, Tally()), prev_m.get(k, Tally()))]
                for k in methods
            ],
        )
    )
    out.append(
        (
            t("ledger15_summary.section_age"),
            pair_head,
            [
                [t(f"summary.age_{a.key}"), *_pair(a.tally, p.tally)]
                for a, p in zip(cur.backlog_by_age, prev.backlog_by_age, strict=True)
            ],
        )
    )
    out.append(
        (
            t("ledger15_summary.section_warehouses"),
            [
                t("summary.col_warehouse"),
                t("summary.col_items"),
                t("summary.col_items_limit"),
                t("summary.col_percent"),
                t("summary.col_weight_used"),
                t("summary.col_weight_limit"),
                t("summary.col_percent"),
            ],
            [
                [
                    f"{w.code} – {w.name}",
                    w.items,
                    w.items_limit,
                    w.items_percent,
                    Kilograms(w.net_weight_kg),
                    Kilograms(w.weight_limit_kg) if w.weight_limit_kg is not None else None,
                    w.weight_percent,
                ]
                for w in data.warehouses
            ],
        )
    )
    return out


def summary_xlsx(data: Summary, lang: str = "vi") -> bytes:
    t = translator(lang)
    rows: list[list[Any]] = [[line] for line in header(data, t).lines()] + [[]]
    for name, head, body in sections(data, t):
        rows += [[name], head, *body, []]
    rows += [[t("summary.signer_maker"), "", "", t("ledger15_summary.signer_head")]]
    stamp = datetime.combine(data.current.end, datetime.min.time(), UTC)
    widths = [52, 16, 18, 14, 16, 18, 14]
    return workbook_bytes([(t("summary.sheet"), rows, widths)], title(data, t), stamp)


def summary_pdf(data: Summary, lang: str = "vi", number: str | None = None) -> bytes:
    """Framed by the document engine (headers, "Số", place and date, pages, chain head);
    ``number``: the report as issued with its ledger's closing (``ledger.closing``)."""
    t = translator(lang)
    h = header(data, t)
    doc = documents.Document(
        kind="evidence_summary",
        lang=t.lang,
        agency=data.agency or documents.AgencyHeader(parent="", name="", place=""),
        day=data.made_on,
        number=number,
        chain_head=data.chain_head,
        subtitle=h.span,
        title_values={"period": period_label(data.current.period, t).upper()},
    )
    body: list[Any] = [
        documents.para(h.addressee, "center"),
        documents.para(h.compared, "center"),
        *[documents.para(n, "center") for n in h.notes],
        documents.spacer(3),
    ]
    for name, head, rows in sections(data, t):
        widths = [60, 28, 29, 28, 30] if len(head) == 5 else [43, 22, 22, 22, 22, 22, 22]
        columns = [
            documents.Column(words, width, right=n > 0)
            for n, (words, width) in enumerate(zip(head, widths, strict=True))
        ]
        cells = [[text_cell(c, t) for c in r] for r in rows] or [
            [t("summary.none")] + [""] * (len(head) - 1)
        ]
        body += [documents.heading(name), documents.table(columns, cells)]
    body += [
        documents.spacer(8),
        *documents.signatures(
            t,
            [
                documents.Signer(t("summary.signer_maker")),
                documents.Signer(t("ledger15_summary.signer_head")),
            ],
        ),
    ]
    return documents.render(doc, body)
