"""Routes for ledger imports; the work is in ``imports``."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from .. import imports
from ..config import Settings
from ..errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, error_responses
from .deps import CurrentUser, SessionDep, SettingsDep


@asynccontextmanager
async def _recover(app: FastAPI) -> AsyncIterator[None]:
    """At start-up: jobs a restart interrupted are marked failed, their files removed."""
    imports.recover_jobs(app.state.db)
    yield


router = APIRouter(prefix="/imports", tags=["imports"], lifespan=_recover)
ERRORS = error_responses(Unauthorized, Forbidden, NotFound, Conflict, Invalid, imports.TooLarge)
CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}


def limits(settings: Settings) -> imports.Limits:
    return imports.Limits.of(settings)


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
    keep: Annotated[
        bool, Form(description="keep a dry run's file for POST /imports/{id}/commit")
    ] = False,
) -> imports.ImportJobPublic:
    """Upload a ledger. The file's type is checked now; it is parsed and checked (and
    imported) by a job: poll ``GET /imports/{id}`` for the progress and the report."""
    options = {"mapping": mapping, "weight_unit": weight_unit, "category": category}
    job, path, table_mapping, size = imports.receive_upload(
        session,
        actor,
        file.file,
        file.filename or "upload",
        {**options, "ledger": ledger},
        dry_run=dry_run,
        partial=partial,
        max_bytes=settings.import_max_bytes,
        retention_days=settings.import_job_retention_days,
    )
    if size <= settings.import_sync_max_bytes:
        try:
            imports.run_job_here(
                session, job, actor, path, table_mapping, corrections, limits(settings)
            )
        finally:
            path.unlink(missing_ok=True)
    else:
        schedule(request, background, job.id or 0, path, table_mapping, corrections, keep)
    return imports.job_public(job)


def schedule(
    request: Request,
    background: BackgroundTasks,
    job_id: int,
    path: Path,
    mapping: imports.Mapping,
    corrections: bool = False,
    keep: bool = False,
) -> None:
    """Run the job once the answer is sent (the faces share this: the web page too)."""
    background.add_task(
        imports.run_job_in_background,
        request.app.state.db,
        job_id,
        path,
        mapping,
        path.unlink,
        corrections,
        limits(request.app.state.settings),
        keep,
    )


@router.post("/{job_id}/commit", status_code=201, responses=ERRORS)
def commit_import(
    job_id: int,
    request: Request,
    actor: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    partial: Annotated[bool, Form()] = False,
    corrections: Annotated[bool, Form()] = False,
) -> imports.ImportJobPublic:
    """Import the file a finished dry run checked (kept when the dry run was started from
    the web page), with its options: a new job."""
    job, path, mapping = imports.commit_kept(
        session, actor, job_id, partial, settings.import_job_retention_days
    )
    schedule(request, background, job.id or 0, path, mapping, corrections)
    return imports.job_public(job)


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
        raise NotFound(f"import {job_id} has no rejected rows", key="ledgers_import.no_rejects")
    return _csv(job.rejects_csv, f"rejects-{job_id}")


@router.get("/{job_id}/rows", responses={**ERRORS, **CSV})
def get_rows(job_id: int, actor: CurrentUser, session: SessionDep) -> Response:
    """The per-row report: what each row creates (code, category, weight in grams,
    location, case), corrects, skips, or why not."""
    job = imports.get_job(session, job_id, actor)
    if job.preview_csv is None:
        raise NotFound(
            f"import {job_id} has no per-row report (not finished?)",
            key="ledgers_import.not_ready",
        )
    return _csv(job.preview_csv, f"import-{job_id}-rows")
