"""Import jobs: an import's progress and report in the ``import_jobs`` table, so every worker
process (and the user polling it) sees the same thing. Files are parsed in the job, after the
upload is answered (``import_sync_max_bytes`` may let small ones run in the request).

A job records which process runs it (host and pid, ``_owner``) and a heartbeat with each
progress step: when the service starts (``recover_jobs``) a job whose process is gone or whose
heartbeat stopped is marked failed — its transaction never committed, so nothing of it was
written — and its temporary file is removed; the same upload can simply be sent again. On
SQLite the write transaction holds the only write lock, so the progress of the write is kept
in this process (``LIVE``) and merged into what ``job_public`` shows. Finished jobs older than
``import_job_retention_days`` are pruned when a new one starts.
"""

import hashlib
import logging
import os
import socket
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from ..auth import agency_scope, require
from ..db import Database
from ..errors import DomainError, NotFound
from ..i18n.catalog import messages
from ..models import ImportJob, User
from .archive import BadFile, Limits
from .checked import plain_params
from .files import preview_blob, rejects_blob
from .mapping import Mapping
from .runner import ImportOutcome, Progress, import_file

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.5
STALE_AFTER = timedelta(minutes=15)  # a running job whose heartbeat is older was interrupted
OWNER = f"{socket.gethostname()}:{os.getpid()}"
# Job id → (phase, done, total) of the jobs this process runs, updated on every step.
LIVE: dict[int, tuple[str, int, int | None]] = {}


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
    has_preview: bool
    report: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None


def job_public(job: ImportJob) -> ImportJobPublic:
    assert job.id is not None
    total, done, phase = job.total_rows, job.processed_rows, job.report.get("phase")
    live = LIVE.get(job.id) if job.status in ("pending", "running") else None
    if live is not None:
        phase, done, total = live
    pct = None
    if job.status == "done":
        pct = 100.0
    elif total:
        pct = round(min(done / total, 1.0) * 100, 1)
    return ImportJobPublic(
        id=job.id,
        status=job.status,
        filename=job.filename,
        sha256=job.sha256,
        dry_run=job.dry_run,
        partial=job.partial,
        phase=phase,
        total_rows=total,
        processed_rows=done,
        progress_pct=pct,
        created_items=job.created_items,
        skipped_rows=job.skipped_rows,
        error_count=job.error_count,
        has_rejects=job.rejects_csv is not None,
        has_preview=job.preview_csv is not None,
        report={k: v for k, v in job.report.items() if not k.startswith("_")},
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
            raise TooLarge(
                f"the file is larger than {max_bytes // (1024 * 1024)} MB",
                key="cases14_errors.file_too_big",
                params={"mb": max_bytes // (1024 * 1024)},
            )
        digest.update(block)
        target.write(block)
    target.flush()
    if size == 0:
        raise BadFile("the file is empty", key="cases14_errors.file_empty")
    return size, digest.hexdigest()


def create_job(
    session: Session,
    actor: User,
    filename: str,
    sha256: str,
    dry_run: bool,
    partial: bool,
    upload: Path | None = None,
    retention_days: int = 30,
) -> ImportJob:
    require(actor, "intake")
    prune_jobs(session, retention_days)
    job = ImportJob(
        agency_id=actor.agency_id,
        user_id=actor.id,  # type: ignore[arg-type]
        filename=filename[-300:] or "upload",
        sha256=sha256,
        dry_run=dry_run,
        partial=partial,
        report={"phase": "queued", "_owner": OWNER, "_upload": str(upload or "")},
    )
    session.add(job)
    session.flush()
    return job


def list_jobs(session: Session, actor: User, limit: int = 50, offset: int = 0) -> list[ImportJob]:
    """The imports of the actor's agencies, newest first."""
    require(actor, "intake")
    query = (
        select(ImportJob)
        .where(col(ImportJob.agency_id).in_(agency_scope(session, actor)))
        .order_by(col(ImportJob.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(session.exec(query).all())


def prune_jobs(session: Session, retention_days: int) -> int:
    """Delete finished jobs (and their stored files) older than the retention time."""
    if retention_days <= 0:
        return 0
    cutoff = datetime.now(UTC) - timedelta(days=retention_days)
    old = session.exec(
        select(ImportJob).where(
            col(ImportJob.status).in_(("done", "failed")), col(ImportJob.finished_at) < cutoff
        )
    ).all()
    for job in old:
        if job.report.get("_kept"):
            Path(job.report["_kept"]).unlink(missing_ok=True)
    result = session.execute(
        delete(ImportJob).where(
            col(ImportJob.status).in_(("done", "failed")), col(ImportJob.finished_at) < cutoff
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's job: judged by its heartbeat
    if int(pid) == os.getpid():
        return False  # this process is starting: it runs nothing yet
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover_jobs(db: Database) -> list[int]:
    """Mark the jobs interrupted by a restart failed and remove their temporary files.
    Read first: a start-up with nothing to recover writes nothing."""
    now = datetime.now(UTC)
    with db.unit_of_work(write=False) as session:
        jobs = session.exec(
            select(ImportJob).where(col(ImportJob.status).in_(("pending", "running")))
        ).all()
        gone = [job.id for job in jobs if _interrupted(job, now)]
    if not gone:
        return []
    failed = []
    with db.unit_of_work() as session:
        for job in session.exec(select(ImportJob).where(col(ImportJob.id).in_(gone))).all():
            if job.status not in ("pending", "running") or not _interrupted(job, now):
                continue  # it finished meanwhile
            upload = job.report.get("_upload")
            if upload:
                Path(upload).unlink(missing_ok=True)
            job.status, job.finished_at = "failed", now
            job.report = {
                **failure(
                    "interrupted by a restart of the service; nothing was written. "
                    "Upload the file again to run the import again",
                    "imports15_jobs.interrupted",
                ),
                "interrupted": True,
            }
            session.add(job)
            failed.append(job.id)
    return [i for i in failed if i is not None]


def _interrupted(job: ImportJob, now: datetime) -> bool:
    beat = job.report.get("_heartbeat")
    stale = beat is not None and now - datetime.fromisoformat(beat) > STALE_AFTER
    return stale or not _alive(job.report.get("_owner", ""))


def get_job(session: Session, job_id: int, actor: User) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None or job.agency_id not in agency_scope(session, actor):
        raise NotFound(
            f"import {job_id} not found", key="keysb_imports.not_found", params={"id": job_id}
        )
    return job


def failure(error: str, key: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """A failed job's report: its reason in English (``error``, as the API has always said it)
    and its translation key and params (``error_key``, ``error_params``) for the pages."""
    return {"phase": "failed", "error": error, "error_key": key, "error_params": params or {}}


def _finish(
    job_values: dict[str, Any],
    outcome: ImportOutcome | None,
    mapping: Mapping,
    error: dict[str, Any] | None,
) -> dict[str, Any]:
    values: dict[str, Any] = {"finished_at": datetime.now(UTC)}
    if outcome is None:
        values.update(status="failed", report=error)
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
        rejects_csv=rejects_blob(outcome, mapping) if report["rejected_rows"] else None,
        preview_csv=preview_blob(outcome),
    )
    return values


def _execute(
    job: ImportJob,
    actor: User,
    path: Path,
    mapping: Mapping,
    sessions: Any,
    progress: Progress,
    options: dict[str, Any],
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
            **options,
        )
        return _finish({}, outcome, mapping, None)
    except DomainError as exc:
        # The file's refusal (BadFile, a mapping error …): its own sentence, else the
        # generic one of a failed import.
        key = exc.key if exc.key and exc.key in messages("en") else "imports15_jobs.refused"
        params = plain_params(exc.params)
        return _finish({}, None, mapping, failure(str(exc.detail), key, params))
    except Exception:
        log.exception("import %s failed", job.id)
        reason = failure(
            "internal error while importing; see the server log", "imports15_jobs.internal"
        )
        return _finish({}, None, mapping, reason)
    finally:
        if outcome is not None:
            outcome.close()


def run_job_here(
    session: Session,
    job: ImportJob,
    actor: User,
    path: Path,
    mapping: Mapping,
    corrections: bool = False,
    limits: Limits | None = None,
) -> ImportJob:
    """Run a (small) import inside the request's own session, before answering."""

    def progress(phase: str, done: int, total: int | None) -> None:
        job.report, job.processed_rows, job.total_rows = {"phase": phase}, done, total

    options = {"corrections": corrections, "limits": limits}
    values = _execute(
        job, actor, path, mapping, lambda write: nullcontext(session), progress, options
    )
    for name, value in values.items():
        setattr(job, name, value)
    session.flush()
    return job


def run_job_in_background(
    db: Database,
    job_id: int,
    path: Path,
    mapping: Mapping,
    cleanup: Callable[[], None],
    corrections: bool = False,
    limits: Limits | None = None,
    keep: bool = False,
) -> None:
    """Run an import with sessions of its own, writing progress to the job row as it goes.

    On SQLite the import's write transaction holds the database's only write lock, so the
    row is not updated while writing; this process's ``LIVE`` entry is, and the job's answer
    shows it (the progress moves during the write).
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

        def running(phase: str) -> dict[str, Any]:
            beat = datetime.now(UTC).isoformat()
            return {"phase": phase, "_owner": OWNER, "_upload": str(path), "_heartbeat": beat}

        def progress(phase: str, done: int, total: int | None) -> None:
            nonlocal last
            LIVE[job_id] = (phase, done, total)
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
                    "report": running(phase),
                }
            )

        save({"status": "running", "report": running("checking")})
        options = {"corrections": corrections, "limits": limits}
        values = _execute(job, actor, path, mapping, db.unit_of_work, progress, options)
        keep = keep and job.dry_run and values.get("status") == "done"
        given = {k: job.report[k] for k in ("_options", "checked_by") if k in job.report}
        values["report"] = {**values["report"], **given, **({"_kept": str(path)} if keep else {})}
        save(values)
    finally:
        LIVE.pop(job_id, None)
        if not keep:
            cleanup()
