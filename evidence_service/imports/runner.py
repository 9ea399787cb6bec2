"""Importing a ledger: check every row (nothing written), then, for a real run, receive the
valid rows through ``intake_items`` in chunks inside one transaction.

Two passes so that memory stays flat and the write lock is held only while writing: the
first pass streams the file, checks each chunk of rows and spools the valid ones (pickled)
to a temporary file; the second reads the spool back. A dry run stops after the first pass.
All or nothing by default: any rejected row and nothing is written. With ``partial`` the
valid rows are imported and the rejected ones are returned to be fixed and imported again.
A row changed since it was imported is a conflict (rejected, the changes named) unless
``corrections`` confirms it: then it is applied as a correction with its custody event.
Every row's outcome is spooled too, for the per-row report (``files.PreviewRow``).
"""

import heapq
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from ..auth import require
from ..cases import create_case
from ..errors import DomainError
from ..i18n.catalog import messages
from ..items import intake_items
from ..models import User
from .archive import Limits
from .checked import Note, RowError, ValidRow, invalid_value, plain_params
from .corrections import apply_correction
from .files import PreviewRow
from .mapping import Mapping
from .per_row import ExpectedCodes, describe, first, record_footers, record_rows, refuse_conflicts
from .reader import Table, cell_text, open_table
from .rows import RowChecker

CHUNK_ROWS = 2000
MAX_REPORTED_ERRORS = 1000
MAX_PREVIEW = 200  # rows of the per-row report kept in the job's JSON (all are in its file)
Progress = Callable[[str, int, int | None], None]
Sessions = Callable[[bool], AbstractContextManager[Session]]


@dataclass
class Reject:
    row: int
    cells: list[str]
    ref: str
    message: str  # in English (the CLI's)
    keyed: list[dict[str, Any]] = field(default_factory=list)  # the same, with keys

    def __lt__(self, other: "Reject") -> bool:
        return self.row < other.row


@dataclass
class ImportOutcome:
    report: dict[str, Any]
    created_items: int = 0
    skipped_rows: int = 0
    error_count: int = 0
    corrected_items: int = 0
    headers: list[str] = field(default_factory=list)
    ref_column: int | None = None
    _spools: list[IO[bytes]] = field(default_factory=list)
    preview_spool: IO[bytes] | None = None

    def rejects(self) -> Iterator[Reject]:
        """The rejected rows in file order (validation and write-time rejects merged)."""
        streams = [_unpickle(s) for s in self._spools]
        yield from heapq.merge(*streams)

    def preview(self) -> Iterator[PreviewRow]:
        """Every row's outcome in file order."""
        if self.preview_spool is not None:
            yield from sorted(_unpickle(self.preview_spool))

    def close(self) -> None:
        for spool in [*self._spools, self.preview_spool]:
            if spool is not None:
                spool.close()


def _unpickle(spool: IO[bytes]) -> Iterator[Any]:
    spool.seek(0)
    while True:
        try:
            yield from pickle.load(spool)
        except EOFError:
            return


def _spool() -> IO[bytes]:
    return tempfile.TemporaryFile(prefix="evidence-import-")


def import_file(
    path: Path,
    actor: User,
    sessions: Sessions,
    mapping: Mapping,
    *,
    dry_run: bool = True,
    partial: bool = False,
    corrections: bool = False,
    progress: Progress | None = None,
    chunk_rows: int = CHUNK_ROWS,
    limits: Limits | None = None,
) -> ImportOutcome:
    """Check (and unless ``dry_run`` import) a ledger. Raises ``BadFile`` for a file that
    cannot be read at all; every problem with rows is in the outcome's report."""
    require(actor, "intake")
    notify = progress or (lambda phase, done, total: None)
    valid_spool, rejects_spool, write_rejects = _spool(), _spool(), _spool()
    outcome = ImportOutcome(
        report={}, _spools=[rejects_spool, write_rejects], preview_spool=_spool()
    )
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    kinds: Counter[str] = Counter()
    counts = Counter[str]()
    try:
        with sessions(False) as session:
            table = open_table(path, mapping, limits)
            try:
                checker = RowChecker(session, actor, mapping, table)
                codes = ExpectedCodes(session)
                outcome.headers = table.headers
                outcome.ref_column = table.column_of("external_ref")
                notify("checking", 0, table.estimated_rows)
                for chunk in _chunks(table, chunk_rows):
                    checked = checker.check(chunk)
                    if not corrections:
                        refuse_conflicts(checked, table)
                    counts["rows"] += len(chunk) - checked.empty
                    counts["empty"] += checked.empty
                    counts["valid"] += len(checked.valid) + len(checked.conflicts)
                    counts["conflicts"] += len(checked.conflicts)
                    counts["skipped"] += len(checked.skipped)
                    record_rows(checked, codes, table, outcome, warnings)
                    # Counted here: the warnings listed stop at MAX_REPORTED, the count not.
                    ready = [*checked.conflicts, *checked.valid]
                    counts["warned"] += sum(1 for r in ready if r.warnings)
                    if ready:
                        pickle.dump(ready, valid_spool, pickle.HIGHEST_PROTOCOL)
                    rejects = []
                    for number, cells, ref, row_errors in checked.rejected:
                        for e in row_errors:
                            kinds[e.kind] += 1
                            if len(errors) < MAX_REPORTED_ERRORS:
                                errors.append(e.to_dict())
                        rejects.append(
                            Reject(
                                number,
                                [cell_text(c) for c in cells],
                                ref,
                                "; ".join(describe(e) for e in row_errors),
                                [e.note() for e in row_errors],
                            )
                        )
                    if rejects:
                        pickle.dump(rejects, rejects_spool, pickle.HIGHEST_PROTOCOL)
                    counts["rejected"] += len(checked.rejected)
                    notify("checking", counts["rows"] + counts["empty"], table.estimated_rows)
                footers = record_footers(table, outcome)
            finally:
                table.close()
        new_cases = checker.cases_to_create
        report: dict[str, Any] = {
            "file": {
                "format": table.kind,
                "sheet": table.sheet,
                "delimiter": table.delimiter,
                "header_row": table.header_row,
                "columns": {table.headers[i]: f for i, f in sorted(table.fields.items())},
                "warnings": table.warnings,
                "warnings_keyed": table.warnings_keyed,
                "footer_rows": footers,
                "ledger": mapping.ledger,
                "category": mapping.category,
                "weight_unit": mapping.weight_unit,
            },
            "dry_run": dry_run,
            "partial": partial,
            "rows": counts["rows"],
            "empty_rows": counts["empty"],
            "valid_rows": counts["valid"],
            "already_imported": counts["skipped"],
            "rejected_rows": counts["rejected"],
            "conflicts": counts["conflicts"] + kinds["conflict"],
            "corrections": corrections,
            "rows_with_warnings": counts["warned"],
            "warnings": warnings,
            "preview": [r.to_dict() for r in first(outcome.preview(), MAX_PREVIEW)],
            "cases_to_create": sorted(new_cases)[:100],
            "cases_to_create_count": len(new_cases),
            "created_items": 0,
            "corrected_items": 0,
            "created_cases": 0,
        }
        outcome.skipped_rows = counts["skipped"]
        if dry_run:
            report["outcome"] = "checked"
        elif counts["rejected"] and not partial:
            report["outcome"] = "refused"
        elif counts["valid"] == 0:
            report["outcome"] = "nothing_to_import"
        else:
            _write(
                valid_spool,
                actor,
                sessions,
                new_cases,
                partial,
                counts["valid"],
                notify,
                outcome,
                report,
                errors,
                kinds,
                write_rejects,
            )
        report["errors_by_kind"] = dict(sorted(kinds.items()))
        report["errors"] = errors
        report["errors_truncated"] = sum(kinds.values()) > len(errors)
        report["message"] = _summary(report)
        outcome.error_count = sum(kinds.values())
        outcome.report = report
        return outcome
    except BaseException:
        outcome.close()
        raise
    finally:
        valid_spool.close()


def _chunks(table: Table, size: int) -> Iterator[list[tuple[int, list[Any]]]]:
    chunk: list[tuple[int, list[Any]]] = []
    for record in table.rows:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _detail(exc: Exception) -> Note:
    """Why the write refused a row: the English of the API and its sentence's key."""
    if isinstance(exc, IntegrityError):
        return Note(
            "conflicts with data already in the database (imported at the same time?)",
            "imports15_rows.database_conflict",
        )
    detail = getattr(exc, "detail", exc)
    if isinstance(detail, dict):
        message = str(detail.get("message", detail))
    elif isinstance(detail, list) and detail and isinstance(detail[0], dict):
        message = "; ".join(str(d.get("msg", d)) for d in detail)
    else:
        message = str(detail)
    key, params = getattr(exc, "key", None), dict(getattr(exc, "params", {}) or {})
    if isinstance(key, str) and key in messages("en"):
        return Note(message, key, plain_params(params))
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        return Note(message, *invalid_value(detail[0]))
    # A refusal with no sentence of its own: the generic one (its English stays in message).
    return Note(message, "imports15_rows.refused")


def _write(
    valid_spool: IO[bytes],
    actor: User,
    sessions: Sessions,
    new_cases: dict[str, Any],
    partial: bool,
    total: int,
    notify: Progress,
    outcome: ImportOutcome,
    report: dict[str, Any],
    errors: list[dict[str, Any]],
    kinds: Counter[str],
    write_rejects: IO[bytes],
) -> None:
    created_cases: dict[str, int | None] = {}
    created = corrected = 0
    refused = 0
    done = 0
    notify("writing", 0, total)
    # The savepoint lets a refused import leave nothing behind inside a session that may
    # also hold the request's own work (the import job row).
    with sessions(True) as session, session.begin_nested() as outer:
        for chunk in _unpickle_chunks(valid_spool):
            failed: list[tuple[ValidRow, Note]] = []
            ready: list[ValidRow] = []
            for r in chunk:
                if r.correction is not None:
                    try:
                        with session.begin_nested():
                            apply_correction(session, r.correction, actor)
                        corrected += 1
                    except (DomainError, IntegrityError) as exc:
                        failed.append((r, _detail(exc)))
                    continue
                if r.new_case is not None:
                    if r.new_case not in created_cases:
                        created_cases[r.new_case] = _create_case(
                            session, new_cases[r.new_case], actor, failed, r
                        )
                    case_id = created_cases[r.new_case]
                    if case_id is None:
                        failed.append(
                            (
                                r,
                                Note(
                                    f"the case {r.new_case} could not be created",
                                    "imports15_rows.case_failed",
                                    {"judgment": r.new_case},
                                ),
                            )
                        )
                        continue
                    r.data.case_id = case_id
                ready.append(r)
            try:
                with session.begin_nested():
                    intake_items(session, [r.data for r in ready], actor)
                created += len(ready)
            except (DomainError, IntegrityError):
                # Find the rows the rules refuse (e.g. hazard segregation) one by one.
                for r in ready:
                    try:
                        with session.begin_nested():
                            intake_items(session, [r.data], actor)
                        created += 1
                    except (DomainError, IntegrityError) as exc:
                        failed.append((r, _detail(exc)))
            if failed:
                failed.sort(key=lambda f: f[0].row)
                refused += len(failed)
                rejects = []
                for r, note in failed:
                    kinds["refused"] += 1
                    if len(errors) < MAX_REPORTED_ERRORS:
                        error = RowError(
                            r.row, "", "", "", "refused", note.message, note.key, note.params
                        )
                        errors.append(error.to_dict())
                    cells = [cell_text(c) for c in r.cells]
                    keyed = [{"column": "", **note.to_dict()}]
                    rejects.append(Reject(r.row, cells, r.ref, note.message, keyed))
                pickle.dump(rejects, write_rejects, pickle.HIGHEST_PROTOCOL)
            done += len(chunk)
            notify("writing", done, total)
        report["rejected_rows"] += refused
        if refused and not partial:
            outer.rollback()
            report["outcome"] = "refused"
            return
    outcome.created_items = created
    outcome.corrected_items = corrected
    report["created_items"] = created
    report["corrected_items"] = corrected
    report["created_cases"] = sum(1 for v in created_cases.values() if v is not None)
    report["outcome"] = "partial" if report["rejected_rows"] else "imported"


def _unpickle_chunks(spool: IO[bytes]) -> Iterator[list[ValidRow]]:
    spool.seek(0)
    while True:
        try:
            yield pickle.load(spool)
        except EOFError:
            return


def _create_case(
    session: Session, data: Any, actor: User, failed: list[tuple[ValidRow, Note]], row: ValidRow
) -> int | None:
    try:
        with session.begin_nested():
            return create_case(session, data, actor).id
    except (DomainError, IntegrityError) as exc:
        reason = _detail(exc)
        note = Note(
            f"the case could not be created: {reason.message}",
            "imports15_rows.case_not_created",
            {"reason": {"key": reason.key, "params": reason.params}},
        )
        failed.append((row, note))
        return None


def _summary(report: dict[str, Any]) -> str:
    outcome = report["outcome"]
    rows, rejected = report["rows"], report["rejected_rows"]
    skipped = report["already_imported"]
    also = f"; {skipped} already imported, skipped" if skipped else ""
    if outcome == "checked":
        if report["conflicts"]:
            also += f"; {report['conflicts']} changed since imported (conflicts)"
        if rejected:
            return (
                f"dry run: {rejected} of {rows} row(s) have errors, "
                f"{report['valid_rows']} would be imported{also}"
            )
        return f"dry run: all {report['valid_rows']} row(s) can be imported{also}"
    if outcome == "refused":
        return (
            f"nothing imported: {rejected} row(s) refused; fix them, or import the valid "
            "rows with partial and the rejects file"
        )
    if outcome == "nothing_to_import":
        return f"nothing to import{also}"
    if outcome == "partial":
        return (
            f"imported {report['created_items']} item(s); {rejected} row(s) rejected, "
            f"written to the rejects file{also}"
        )
    fixed = report["corrected_items"]
    corrected = f"; {fixed} item(s) corrected" if fixed else ""
    return f"imported {report['created_items']} item(s){corrected}{also}"
