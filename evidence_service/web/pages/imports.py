"""Importing a ledger in the browser: upload (a dry run first), the dry run's report row by
row, commit the same file, download the per-row report and the rejects; the job's page
reloads itself while it runs, so its progress bar moves. The work is in ``imports``."""

from typing import Any

from fastapi import APIRouter, BackgroundTasks
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from ... import imports
from ...errors import DomainError, NotFound
from ...i18n import Translator
from ...imports.notes import note_text, notes_text
from ...models import Category
from ..context import FormPage, Page, UserPage
from ..errors import WebRoute, explain, technical

router = APIRouter(route_class=WebRoute, include_in_schema=False)
ACTIONS = ("create", "correction", "already_imported", "conflict", "rejected", "footer")


def row_notes(t: Translator, row: dict[str, Any]) -> str:
    """A row's notes on the page: each with its column, in the reader's words; an old
    report's row (no ``notes_keyed``) keeps its English ``notes``."""
    if row.get("action") == "footer":
        return t.maybe(f"ledgers_import.footer_{row.get('notes', '')}", str(row.get("notes", "")))
    keyed = row.get("notes_keyed")
    if not isinstance(keyed, list):
        return str(row.get("notes", ""))  # an old report's row: its English (see note_text)
    return notes_text(t, keyed)


def failure_reason(t: Translator, report: dict[str, Any]) -> str:
    """Why a job failed, in the reader's words (an old job: its English ``error``)."""
    note = {
        "message": report.get("error", ""),
        "key": report.get("error_key"),
        "params": report.get("error_params"),
    }
    return note_text(t, note)


def _render_list(page: Page, error: DomainError | None = None) -> Response:
    explained = explain(error, page.t) if error else None
    jobs = [imports.job_public(j) for j in imports.list_jobs(page.db, page.me, limit=30)]
    return page.render(
        "imports.html",
        status_code=error.status_code if error else 200,
        jobs=jobs,
        categories=list(Category),
        weight_units=list(imports.load_mapping().weight_grams),
        errors=explained.messages if explained else [],
        technical=technical(explained.detail) if explained else "",
        values={k: v for k, v in page.form.items() if isinstance(v, str)},
    )


@router.get("/imports")
def import_list(page: UserPage) -> Response:
    return _render_list(page)


def _schedule(
    page: Page, background: BackgroundTasks, job_id: int, path: Any, mapping: Any, **kw: Any
) -> None:
    background.add_task(
        imports.run_job_in_background,
        page.request.app.state.db,
        job_id,
        path,
        mapping,
        path.unlink,
        kw.get("corrections", False),
        imports.Limits.of(page.settings),
        kw.get("keep", False),
    )


@router.post("/imports")
def upload(page: FormPage, background: BackgroundTasks) -> Response:
    file = page.form.get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise NotFound(page.t("ledgers_import.no_file"), key="ledgers_import.no_file")
        options = {name: page.field(name) or None for name in imports.uploads_options()}
        job, path, mapping, _ = imports.receive_upload(
            page.db,
            page.me,
            file.file,
            file.filename,
            options,
            dry_run=True,
            partial=False,
            max_bytes=page.settings.import_max_bytes,
            retention_days=page.settings.import_job_retention_days,
        )
    except DomainError as exc:
        return _render_list(page, exc)
    _schedule(page, background, job.id or 0, path, mapping, keep=True)
    return page.redirect(f"/imports/{job.id}")


@router.get("/imports/{job_id}")
def job_page(page: UserPage, job_id: int) -> Response:
    job = imports.get_job(page.db, job_id, page.me)
    public = imports.job_public(job)
    report = public.report
    return page.render(
        "import_job.html",
        job=public,
        report=report,
        running=public.status in ("pending", "running"),
        can_commit=job.dry_run and public.status == "done" and bool(job.report.get("_kept")),
        rows=report.get("preview", []),
        actions=ACTIONS,
        row_notes=lambda row: row_notes(page.t, row),
        reason=failure_reason(page.t, report) if public.status == "failed" else "",
        file_warnings=[
            note_text(page.t, w) for w in (report.get("file") or {}).get("warnings_keyed", [])
        ],
    )


@router.post("/imports/{job_id}/commit")
def commit(page: FormPage, background: BackgroundTasks, job_id: int) -> Response:
    partial = page.field("partial") == "1"
    corrections = page.field("corrections") == "1"
    job, path, mapping = imports.commit_kept(
        page.db, page.me, job_id, partial, page.settings.import_job_retention_days
    )
    _schedule(page, background, job.id or 0, path, mapping, corrections=corrections)
    return page.redirect(f"/imports/{job.id}")


def _csv(content: bytes, name: str) -> Response:
    return Response(
        content=imports.unpack(content),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@router.get("/imports/{job_id}/rows.csv")
def rows_csv(page: UserPage, job_id: int) -> Response:
    job = imports.get_job(page.db, job_id, page.me)
    if job.preview_csv is None:
        raise NotFound(page.t("ledgers_import.not_ready"), key="ledgers_import.not_ready")
    return _csv(job.preview_csv, f"import-{job_id}-rows")


@router.get("/imports/{job_id}/rejects.csv")
def rejects_csv(page: UserPage, job_id: int) -> Response:
    job = imports.get_job(page.db, job_id, page.me)
    if job.rejects_csv is None:
        raise NotFound(page.t("ledgers_import.no_rejects"), key="ledgers_import.no_rejects")
    return _csv(job.rejects_csv, f"rejects-{job_id}")
