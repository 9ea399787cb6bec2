"""An upload becomes a job: the file saved (within its size limit) and recognised by its first
bytes, nothing parsed; the job row records the file and the options the job will use. A dry
run started from the web keeps its file (``_kept``) so that "commit" runs the same file with
the same options, without a second upload; pruning and recovery remove kept files."""

import os
import tempfile
from pathlib import Path
from typing import IO, Any

from sqlmodel import Session

from ..errors import Conflict
from ..models import ImportJob, User
from .jobs import create_job, get_job, save_upload
from .mapping import Mapping, load_mapping
from .reader import sniff

OPTIONS = ("mapping", "weight_unit", "category", "ledger")


def uploads_options() -> tuple[str, ...]:
    """The options an upload may set (form fields of the same names)."""
    return OPTIONS


def mapping_for(options: dict[str, Any]) -> Mapping:
    """The mapping an upload's options describe (checked: a bad one is refused)."""
    text = options.get("mapping")
    base = load_mapping(text=text) if text else load_mapping()
    return base.for_file(options.get("weight_unit"), options.get("category"), options.get("ledger"))


def receive_upload(
    session: Session,
    actor: User,
    source: IO[bytes],
    filename: str,
    options: dict[str, Any],
    *,
    dry_run: bool,
    partial: bool,
    max_bytes: int,
    retention_days: int,
) -> tuple[ImportJob, Path, Mapping, int]:
    """(job, saved file, mapping, size). The caller runs the job and removes the file."""
    mapping = mapping_for(options)
    fd, name = tempfile.mkstemp(prefix="evidence-upload-", suffix=".ledger")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as target:
            size, sha256 = save_upload(source, target, max_bytes)
        sniff(path)  # a PDF, an image, an .xls: refused now, not in a failed job
        job = create_job(session, actor, filename, sha256, dry_run, partial, path, retention_days)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    job.report = {**job.report, "_options": {k: options.get(k) for k in OPTIONS}}
    session.add(job)
    session.flush()
    return job, path, mapping, size


def commit_kept(
    session: Session, actor: User, job_id: int, partial: bool, retention_days: int
) -> tuple[ImportJob, Path, Mapping]:
    """A real run of a finished dry run's kept file, with the dry run's options."""
    dry = get_job(session, job_id, actor)
    kept = dry.report.get("_kept")
    if not dry.dry_run or dry.status != "done" or not kept or not Path(kept).exists():
        raise Conflict(
            f"import {job_id} has no checked file to commit; upload it again",
            key="keysb_imports.nothing_to_commit",
        )
    options = dict(dry.report.get("_options") or {})
    mapping = mapping_for(options)
    job = create_job(
        session, actor, dry.filename, dry.sha256, False, partial, Path(kept), retention_days
    )
    job.report = {**job.report, "_options": options, "checked_by": dry.id}
    dry.report = {k: v for k, v in dry.report.items() if k != "_kept"}
    session.add_all([job, dry])
    session.flush()
    return job, Path(kept), mapping
