"""Routes for ledger imports; the work is in ``imports``."""

import os
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Request, UploadFile
from fastapi.responses import Response

from .. import imports
from ..errors import Forbidden, Invalid, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(prefix="/imports", tags=["imports"])
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Invalid, imports.TooLarge)


@router.post("", status_code=201, responses=ERRORS)
def start_import(
    request: Request,
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    file: Annotated[UploadFile, File(description="the ledger: CSV (UTF-8) or XLSX")],
    dry_run: Annotated[bool, Form(description="check only, write nothing")] = True,
    partial: Annotated[bool, Form(description="import the valid rows, return the rest")] = False,
    mapping: Annotated[str | None, Form(description="a column mapping (TOML text)")] = None,
) -> imports.ImportJobPublic:
    """Upload a ledger. Small files are checked (and imported) before the answer; larger
    ones in the background: poll ``GET /imports/{id}`` for the progress and the report."""
    table_mapping = imports.load_mapping(text=mapping) if mapping else imports.load_mapping()
    fd, name = tempfile.mkstemp(prefix="evidence-upload-", suffix=".ledger")
    path = Path(name)
    in_background = False
    try:
        with os.fdopen(fd, "wb") as target:
            size, sha256 = imports.save_upload(file.file, target, settings.import_max_bytes)
        # A file that is not a ledger at all is refused now, not in a failed job.
        imports.open_table(path, table_mapping).close()
        job = imports.create_job(
            session, actor, file.filename or "upload", sha256, dry_run, partial
        )
        if size <= settings.import_sync_max_bytes:
            imports.run_job_here(session, job, actor, path, table_mapping)
        else:
            background.add_task(
                imports.run_job_in_background,
                request.app.state.db,
                job.id or 0,
                path,
                table_mapping,
                path.unlink,
            )
            in_background = True
        return imports.job_public(job)
    finally:
        if not in_background:
            path.unlink(missing_ok=True)


@router.get("/{job_id}", responses=ERRORS)
def get_import(job_id: int, actor: CurrentUser, session: SessionDep) -> imports.ImportJobPublic:
    """An import's status, progress (rows processed of the estimated total) and report."""
    return imports.job_public(imports.get_job(session, job_id, actor))


@router.get(
    "/{job_id}/rejects",
    responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
)
def get_rejects(job_id: int, actor: CurrentUser, session: SessionDep) -> Response:
    """The rejected rows (the file's columns plus what was wrong) to fix and import again."""
    job = imports.get_job(session, job_id, actor)
    if job.rejects_csv is None:
        raise NotFound(f"import {job_id} has no rejected rows")
    return Response(
        content=job.rejects_csv,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="rejects-{job_id}.csv"'},
    )
