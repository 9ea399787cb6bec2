"""The per-row report, written as the rows are checked: what each row creates (with the code
it is expected to get), corrects, skips, or why not, and the footer rows; spooled by the
runner and given back as ``files.PreviewRow`` in file order."""

import pickle
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from .. import payload
from ..items.intake import item_code_year
from ..models import CodeCounter
from .checked import Checked, Note, RowError
from .corrections import describe_changes
from .files import PreviewRow
from .reader import Table, column_letter

MAX_REPORTED = 1000


def describe(e: RowError) -> str:
    where = f"{e.column}: " if e.column else ""
    return f"{where}{e.message}"


class ExpectedCodes:
    """The codes new items are expected to get: the next ones of this year's counter."""

    def __init__(self, session: Session) -> None:
        self.year = item_code_year(datetime.now(UTC))
        counter = session.get(CodeCounter, f"item:{self.year}")
        self.seq = counter.value if counter else 0

    def next(self) -> str:
        self.seq += 1
        return payload.make_item_code(self.year, self.seq)


def refuse_conflicts(checked: Checked, table: Table) -> None:
    """Without ``corrections`` a changed row is refused, its changes named."""
    column = table.column_of("external_ref")
    for r in checked.conflicts:
        assert r.correction is not None
        code, changes = r.correction
        message = (
            f"ledger line already imported as item {code}, and changed since: "
            f"{describe_changes(changes)}; confirm the corrections to apply them"
        )
        header = table.headers[column] if column is not None else ""
        cell = f"{column_letter(column)}{r.row}" if column is not None else ""
        value = r.ref.rsplit("|", 1)[-1]
        key, params = "imports15_rows.conflict", {"code": code, "changes": _listed(changes)}
        error = RowError(r.row, header, cell, value, "conflict", message, key, params)
        checked.rejected.append((r.row, r.cells, r.ref, [error]))
    checked.conflicts = []


def record_rows(
    checked: Checked,
    codes: ExpectedCodes,
    table: Table,
    outcome: Any,
    warnings: list[dict[str, Any]],
) -> None:
    rows = []
    for r in [*checked.conflicts, *checked.valid]:
        correction = r.correction
        for w in r.warnings:
            if len(warnings) < MAX_REPORTED:
                warnings.append({"row": r.row, **w.to_dict()})
        notes = list(r.warnings)
        if correction is not None:
            changes = correction[1]
            notes.insert(
                0,
                Note(
                    describe_changes(changes),
                    "imports15_rows.changes",
                    {"changes": _listed(changes)},
                ),
            )
        text = "; ".join(n.message for n in notes)
        rows.append(
            PreviewRow(
                r.row,
                _number(r.ref),
                "correction" if correction else "create",
                correction[0] if correction else codes.next(),
                r.data.category,
                r.category_source,
                r.data.net_weight_g,
                r.location or "",
                r.case or r.new_case or "",
                text,
                [{"column": "", **n.to_dict()} for n in notes],
            )
        )
    for number, ref, code in checked.skipped:
        rows.append(PreviewRow(number, _number(ref), "already_imported", code))
    for number, _, ref, row_errors in checked.rejected:
        action = "conflict" if any(e.kind == "conflict" for e in row_errors) else "rejected"
        errors = "; ".join(describe(e) for e in row_errors)
        keyed = [e.note() for e in row_errors]
        rows.append(PreviewRow(number, _number(ref), action, notes=errors, keyed=keyed))
    if rows and outcome.preview_spool is not None:
        pickle.dump(rows, outcome.preview_spool, pickle.HIGHEST_PROTOCOL)


def record_footers(table: Table, outcome: Any) -> list[dict[str, Any]]:
    rows = [PreviewRow(n, "", "footer", notes=kind) for n, kind in table.footers]
    if rows and outcome.preview_spool is not None:
        pickle.dump(rows, outcome.preview_spool, pickle.HIGHEST_PROTOCOL)
    return [{"row": n, "kind": kind} for n, kind in table.footers[:100]]


def _listed(changes: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """The changes as the pages show them: each field with its stored and new value."""
    return [{"field": name, "before": a, "after": b} for name, (a, b) in changes.items()]


def _number(ref: str) -> str:
    """The ledger number as written (the part after the ledger's name)."""
    return "" if ref.startswith("#") else ref.rsplit("|", 1)[-1]


def first(rows: Iterator[PreviewRow], n: int) -> list[PreviewRow]:
    out: list[PreviewRow] = []
    for row in rows:
        if len(out) >= n:
            break
        out.append(row)
    return out
