"""Routes for ledger imports; the work is in ``imports``."""

import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from .. import imports
from ..config import Settings
from ..errors import Forbidden, Invalid, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, SessionDep, SettingsDep


@asynccontextmanager
async def _recover(app: FastAPI) -> AsyncIterator[None]:
    """At start-up: jobs a restart interrupted are marked failed, their files removed."""
    imports.recover_jobs(app.state.db)
    yield


router = APIRouter(prefix="/imports", tags=["imports"], lifespan=_recover)
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Invalid, imports.TooLarge)
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}


def limits(settings: Settings) -> imports.Limits:
    return imports.Limits(
        max_unpacked_bytes=settings.import_max_unpacked_bytes,
        max_shared_strings=settings.import_max_shared_strings,
        max_rows=settings.import_max_rows,
        max_columns=settings.import_max_columns,
    )


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
    corrections: Annotated[
        bool, Form(description="apply rows changed since they were imported as corrections")
    ] = False,
    mapping: Annotated[str | None, Form(description="a column mapping (TOML text)")] = None,
    weight_unit: Annotated[
        str | None, Form(description="unit of bare weights: kg, g, mg, lạng, tấn")
    ] = None,
    category: Annotated[str | None, Form(description="the category of every row")] = None,
    ledger: Annotated[
        str | None, Form(description="the ledger's name (else: warehouse and year)")
    ] = None,
) -> imports.ImportJobPublic:
    """Upload a ledger. The file's type is checked now; it is parsed and checked (and
    imported) by a job: poll ``GET /imports/{id}`` for the progress and the report."""
    base = imports.load_mapping(text=mapping) if mapping else imports.load_mapping()
    table_mapping = base.for_file(weight_unit, category, ledger)
    fd, name = tempfile.mkstemp(prefix="evidence-upload-", suffix=".ledger")
    path = Path(name)
    in_background = False
    try:
        with os.fdopen(fd, "wb") as target:
            size, sha256 = imports.save_upload(file.file, target, settings.import_max_bytes)
        imports.sniff(path)  # a PDF, an image, an .xls: refused now, not in a failed job
        job = imports.create_job(
            session,
            actor,
            file.filename or "upload",
            sha256,
            dry_run,
            partial,
            upload=path,
            retention_days=settings.import_job_retention_days,
        )
        if size <= settings.import_sync_max_bytes:
            imports.run_job_here(
                session, job, actor, path, table_mapping, corrections, limits(settings)
            )
        else:
            background.add_task(
                imports.run_job_in_background,
                request.app.state.db,
                job.id or 0,
                path,
                table_mapping,
                path.unlink,
                corrections,
                limits(settings),
            )
            in_background = True
        return imports.job_public(job)
    finally:
        if not in_background:
            path.unlink(missing_ok=True)


@router.get("", responses=ERRORS)
def list_imports(
    actor: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[imports.ImportJobPublic]:
    """The imports of your agencies, newest first: status, progress and report."""
    return [imports.job_public(j) for j in imports.list_jobs(session, actor, limit, offset)]


@router.get("/{job_id}", responses=ERRORS)
def get_import(job_id: int, actor: CurrentUser, session: SessionDep) -> imports.ImportJobPublic:
    """An import's status, progress (rows processed of the estimated total) and report."""
    return imports.job_public(imports.get_job(session, job_id, actor))


def _csv(content: bytes, name: str) -> Response:
    return Response(
        content=imports.unpack(content),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get("/{job_id}/rejects", responses={**ERRORS, **CSV})
def get_rejects(job_id: int, actor: CurrentUser, session: SessionDep) -> Response:
    """The rejected rows (the file's columns plus what was wrong) to fix and import again."""
    job = imports.get_job(session, job_id, actor)
    if job.rejects_csv is None:
        raise NotFound(f"import {job_id} has no rejected rows")
    return _csv(job.rejects_csv, f"rejects-{job_id}")


@router.get("/{job_id}/rows", responses={**ERRORS, **CSV})
def get_rows(job_id: int, actor: CurrentUser, session: SessionDep) -> Response:
    """The per-row report: what each row creates (code, category, weight in grams,
    location, case), corrects, skips, or why not."""
    job = imports.get_job(session, job_id, actor)
    if job.preview_csv is None:
        raise NotFound(f"import {job_id} has no per-row report (not finished?)")
    return _csv(job.preview_csv, f"import-{job_id}-rows")
