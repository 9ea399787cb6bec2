"""Import jobs: an import's progress and report in the ``import_jobs`` table, so every worker
process (and the user polling it) sees the same thing. Large files run in the background."""

import hashlib
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel
from sqlalchemy import update
from sqlmodel import Session, col

from ..auth import agency_scope, require
from ..db import Database
from ..errors import DomainError, NotFound
from ..models import ImportJob, User
from .mapping import Mapping
from .reader import BadFile
from .runner import ImportOutcome, Progress, import_file, rejects_csv

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.5


class TooLarge(DomainError):
    status_code = 413


class ImportJobPublic(BaseModel):
    id: int
    status: str
    filename: str
    sha256: str
    dry_run: bool
    partial: bool
    phase: str | None
    total_rows: int | None
    processed_rows: int
    progress_pct: float | None
    created_items: int
    skipped_rows: int
    error_count: int
    has_rejects: bool
    report: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None


def job_public(job: ImportJob) -> ImportJobPublic:
    assert job.id is not None
    total = job.total_rows
    pct = None
    if job.status == "done":
        pct = 100.0
    elif total:
        pct = round(min(job.processed_rows / total, 1.0) * 100, 1)
    return ImportJobPublic(
        id=job.id,
        status=job.status,
        filename=job.filename,
        sha256=job.sha256,
        dry_run=job.dry_run,
        partial=job.partial,
        phase=job.report.get("phase"),
        total_rows=total,
        processed_rows=job.processed_rows,
        progress_pct=pct,
        created_items=job.created_items,
        skipped_rows=job.skipped_rows,
        error_count=job.error_count,
        has_rejects=job.rejects_csv is not None,
        report=job.report,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def save_upload(source: IO[bytes], target: IO[bytes], max_bytes: int) -> tuple[int, str]:
    """Copy an upload to a file, refusing more than ``max_bytes``: (size, sha256)."""
    digest = hashlib.sha256()
    size = 0
    for block in iter(lambda: source.read(1 << 20), b""):
        size += len(block)
        if size > max_bytes:
            raise TooLarge(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
        digest.update(block)
        target.write(block)
    target.flush()
    if size == 0:
        raise BadFile("the file is empty")
    return size, digest.hexdigest()


def create_job(
    session: Session, actor: User, filename: str, sha256: str, dry_run: bool, partial: bool
) -> ImportJob:
    require(actor, "intake")
    job = ImportJob(
        agency_id=actor.agency_id,
        user_id=actor.id,  # type: ignore[arg-type]
        filename=filename[-300:] or "upload",
        sha256=sha256,
        dry_run=dry_run,
        partial=partial,
        report={"phase": "queued"},
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int, actor: User) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None or job.agency_id not in agency_scope(session, actor):
        raise NotFound(f"import {job_id} not found")
    return job


def _finish(
    job_values: dict[str, Any], outcome: ImportOutcome | None, mapping: Mapping, error: str | None
) -> dict[str, Any]:
    values: dict[str, Any] = {"finished_at": datetime.now(UTC)}
    if outcome is None:
        values.update(status="failed", report={"phase": "failed", "error": error})
        return values
    report = {**outcome.report, "phase": "done"}
    values.update(
        status="done",
        report=report,
        created_items=outcome.created_items,
        skipped_rows=outcome.skipped_rows,
        error_count=outcome.error_count,
        processed_rows=report["rows"] + report["empty_rows"],
        total_rows=report["rows"] + report["empty_rows"],
        rejects_csv=rejects_csv(outcome, mapping) if report["rejected_rows"] else None,
    )
    return values


def _execute(
    job: ImportJob, actor: User, path: Path, mapping: Mapping, sessions: Any, progress: Progress
) -> dict[str, Any]:
    outcome = None
    try:
        outcome = import_file(
            path,
            actor,
            sessions,
            mapping,
            dry_run=job.dry_run,
            partial=job.partial,
            progress=progress,
        )
        return _finish({}, outcome, mapping, None)
    except DomainError as exc:
        return _finish({}, None, mapping, str(exc.detail))
    except Exception:
        log.exception("import %s failed", job.id)
        return _finish({}, None, mapping, "internal error while importing; see the server log")
    finally:
        if outcome is not None:
            outcome.close()


def run_job_here(
    session: Session, job: ImportJob, actor: User, path: Path, mapping: Mapping
) -> ImportJob:
    """Run a (small) import inside the request's own session, before answering."""

    def progress(phase: str, done: int, total: int | None) -> None:
        job.report, job.processed_rows, job.total_rows = {"phase": phase}, done, total

    values = _execute(job, actor, path, mapping, lambda write: nullcontext(session), progress)
    for name, value in values.items():
        setattr(job, name, value)
    session.flush()
    return job


def run_job_in_background(
    db: Database, job_id: int, path: Path, mapping: Mapping, cleanup: Callable[[], None]
) -> None:
    """Run an import with sessions of its own, writing progress to the job row as it goes.

    On SQLite the import's write transaction holds the database's only write lock, so the
    row is not updated while writing (it shows the phase "writing") until the end.
    """
    try:
        with db.unit_of_work(write=False) as session:
            job = session.get(ImportJob, job_id)
            actor = session.get(User, job.user_id) if job else None
            if job is None or actor is None:
                return
        last = 0.0

        def save(values: dict[str, Any]) -> None:
            with db.unit_of_work() as s:
                s.execute(update(ImportJob).where(col(ImportJob.id) == job_id).values(**values))

        def progress(phase: str, done: int, total: int | None) -> None:
            nonlocal last
            now = time.monotonic()
            if db.is_sqlite and phase == "writing" and done:
                return  # the import holds SQLite's write lock until it commits
            if done and now - last < PROGRESS_EVERY_S and done != total:
                return
            last = now
            save(
                {
                    "status": "running",
                    "processed_rows": done,
                    "total_rows": total,
                    "report": {"phase": phase},
                }
            )

        save({"status": "running", "report": {"phase": "checking"}})
        values = _execute(job, actor, path, mapping, db.unit_of_work, progress)
        save(values)
    finally:
        cleanup()
