"""The ``evidence-service`` command line."""

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from .config import Settings, get_settings
from .db import Database

app = typer.Typer(help="Evidence storage and destruction tracking service.", no_args_is_help=True)
agencies_app = typer.Typer(help="Manage agencies.", no_args_is_help=True)
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
app.add_typer(agencies_app, name="agencies")
app.add_typer(users_app, name="users")


def _database(settings: Settings) -> Database:
    return Database.from_url(settings.database_url, settings.sqlite_busy_timeout_ms)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    demo: Annotated[
        bool, typer.Option(help="demo secret and demo data; never in production")
    ] = False,
    workers: int = 1,
) -> None:
    """Run the HTTP server (applies pending migrations when using the SQLite default)."""
    import uvicorn

    if demo:
        os.environ["EVIDENCE_DEMO"] = "true"
        get_settings.cache_clear()
    settings = get_settings()
    try:
        settings.check_secret()
    except RuntimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    db = _database(settings)
    if settings.is_sqlite or demo:
        db.migrate()
    if demo:
        from .demo import DEMO_PASSWORD, seed_demo

        with db.unit_of_work() as session:
            created = seed_demo(session)
        typer.echo("Demo data loaded." if created else "Demo data already present.")
        typer.echo(
            "Log in as demo-keeper, demo-manager, demo-council, demo-auditor or demo-admin; "
            f"password: {DEMO_PASSWORD}"
        )
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    typer.echo(f"Open http://{shown}:{port}/ in a browser (API docs: http://{shown}:{port}/docs)")
    uvicorn.run(
        "evidence_service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


@app.command()
def migrate(revision: str = "head") -> None:
    """Apply database migrations."""
    db = _database(get_settings())
    db.migrate(revision)
    current, _ = db.migration_status()
    typer.echo(f"database at revision {current}")


@agencies_app.command("create")
def agencies_create(
    code: str,
    name: Annotated[str, typer.Option("--name")],
    parent: Annotated[str | None, typer.Option("--parent")] = None,
) -> None:
    """Create an agency (the first ones are created here, before any admin exists)."""
    from pydantic import ValidationError

    from .agencies import AgencyCreate, create_agency
    from .errors import DomainError

    try:
        data = AgencyCreate(code=code, name=name, parent_code=parent)
        with _database(get_settings()).unit_of_work() as session:
            create_agency(session, data, actor=None)
    except (ValidationError, DomainError) as exc:
        typer.echo(f"error: {_message(exc)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"agency {code} created")


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[str, typer.Option("--role")],
    agency: Annotated[str, typer.Option("--agency")],
    full_name: Annotated[str, typer.Option("--full-name")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Create a user."""
    from pydantic import ValidationError

    from .auth import UserCreate, create_user
    from .errors import DomainError

    if not password_stdin:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        data = UserCreate(
            username=username, full_name=full_name, role=role, agency_code=agency, password=password
        )
        with _database(get_settings()).unit_of_work() as session:
            create_user(session, data)
    except (ValidationError, DomainError) as exc:
        typer.echo(f"error: {_message(exc)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"user {username} created")


@app.command()
def verify(
    anchor: Annotated[
        Path | None,
        typer.Option(help="an anchor file from `anchor`: also prove nothing before it changed"),
    ] = None,
) -> None:
    """Walk the custody hash chain; exit non-zero naming the first event that fails."""
    from .custody import Anchor, verify_chain

    given = None
    if anchor is not None:
        try:
            given = Anchor.from_dict(json.loads(anchor.read_text()))
        except (OSError, ValueError) as exc:
            typer.echo(f"error: cannot read anchor {anchor}: {exc}", err=True)
            raise typer.Exit(2) from None
    with _database(get_settings()).unit_of_work(write=False) as session:
        result = verify_chain(session, given)
    if result.problem is not None:
        typer.echo(f"FAILED after {result.events_checked} good events: {result.problem}", err=True)
        raise typer.Exit(1)
    against = f", consistent with the anchor of {given.at}" if given else ""
    typer.echo(f"OK: {result.events_checked} events, head {result.head_hash}{against}")


@app.command("anchor")
def anchor_command(
    out: Annotated[Path | None, typer.Option("--out", help="also write it to this file")] = None,
) -> None:
    """Print the chain head (event count, head hash, time) to keep outside the system."""
    from .custody import make_anchor

    with _database(get_settings()).unit_of_work(write=False) as session:
        text = json.dumps(make_anchor(session).to_dict(), indent=2)
    if out is not None:
        out.write_text(text + "\n")
    typer.echo(text)


def _sqlite_path(settings: Settings) -> Path:
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        typer.echo(
            "error: backup/restore here are for the SQLite database; on PostgreSQL use "
            "pg_dump -Fc / pg_restore (see the README)",
            err=True,
        )
        raise typer.Exit(2)
    return Path(url.database)


@app.command()
def backup(file: Path) -> None:
    """Consistent online copy of the SQLite database, safe while the server is writing."""
    import sqlite3

    source_path = _sqlite_path(get_settings())
    if file.exists():
        typer.echo(f"error: {file} exists; choose a new file", err=True)
        raise typer.Exit(1)
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(file)
    with target:
        source.backup(target)  # SQLite's backup API: a snapshot, even under writes
    source.close()
    target.close()
    typer.echo(f"backed up {source_path} to {file}")


@app.command()
def restore(
    file: Path,
    force: Annotated[bool, typer.Option(help="replace an existing database")] = False,
) -> None:
    """Restore a backup over the SQLite database. Stop the server first."""
    import sqlite3

    target_path = _sqlite_path(get_settings())
    try:
        source = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        ok = source.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        source.execute("SELECT count(*) FROM custody_events").fetchone()
    except sqlite3.DatabaseError as exc:
        typer.echo(f"error: {file} is not a usable backup: {exc}", err=True)
        raise typer.Exit(1) from None
    if not ok:
        typer.echo(f"error: {file} fails SQLite's integrity check", err=True)
        raise typer.Exit(1)
    if target_path.exists() and not force:
        typer.echo(f"error: {target_path} exists; pass --force to replace it", err=True)
        raise typer.Exit(1)
    target = sqlite3.connect(target_path)
    with target:
        source.backup(target)
    source.close()
    target.close()
    typer.echo(f"restored {file} into {target_path}; run `evidence-service verify` next")


def _message(exc: Exception) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return str(getattr(exc, "detail", exc))


# --- labels ----------------------------------------------------------------------------------

labels_app = typer.Typer(help="Print QR labels for items and locations.", no_args_is_help=True)
app.add_typer(labels_app, name="labels")


@labels_app.command("templates")
def labels_templates() -> None:
    """List the label templates (the TOML files in labels/)."""
    from .labels import template_list

    for t in template_list(get_settings()):
        size = f"{t.width_mm:g}x{t.height_mm:g} mm"
        per_page = f"{t.labels_per_page}/page" if t.kind == "sheet" else "roll"
        typer.echo(
            f"{t.name:<22} {t.kind:<8} {size:<14} {t.dpi:>4} dpi  {per_page:<8} {t.title.vi}"
        )


@labels_app.command("print")
def labels_print(
    out: Annotated[str, typer.Option("--out", help="file to write")],
    acting_user: Annotated[
        str, typer.Option("--as", help="username recorded in the custody events")
    ],
    case: Annotated[int | None, typer.Option("--case", help="every item of this case")] = None,
    location: Annotated[
        str | None, typer.Option("--location", help="everything in this location subtree")
    ] = None,
    codes: Annotated[str | None, typer.Option("--codes", help="comma-separated codes")] = None,
    kind: Annotated[str, typer.Option("--kind", help="item or location labels")] = "item",
    template: Annotated[str, typer.Option("--template")] = "thermal-50x30-203",
    format: Annotated[str, typer.Option("--format", help="pdf or zpl")] = "pdf",
    skip: Annotated[int, typer.Option("--skip", help="positions already used")] = 0,
    copies: Annotated[int, typer.Option("--copies", help="copies of each label")] = 1,
) -> None:
    """Print labels for a case, a location or a list of codes to a PDF or ZPL file.

    Item labels are recorded as label_printed custody events (committed before the file is
    written), exactly as when printing through the API.
    """
    from pathlib import Path

    from pydantic import ValidationError
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from .auth import user_by_username
    from .errors import DomainError
    from .labels import LabelRequest, prepare_print

    if format not in ("pdf", "zpl"):
        typer.echo("error: --format must be pdf or zpl", err=True)
        raise typer.Exit(2)
    settings = get_settings()
    try:
        request = LabelRequest(
            codes=[c.strip() for c in codes.split(",") if c.strip()] if codes is not None else None,
            case_id=case,
            location_code=location,
            kind=kind,  # type: ignore[arg-type]
            template=template,
            format=format,  # type: ignore[arg-type]
            skip=skip,
            copies=copies,
        )
        with _database(settings).unit_of_work() as session:
            actor = user_by_username(session, acting_user)
            job = prepare_print(session, actor, settings, request)
    except (ValidationError, DomainError) as exc:
        typer.echo(f"error: {_message(exc)}", err=True)
        raise typer.Exit(1) from None

    total = len(job.labels)
    target = Path(out)
    tmp = target.with_name(target.name + ".part")
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        disable=total < 50,  # only long runs get a bar
    ) as progress:
        task = progress.add_task("rendering labels", total=total)

        with tmp.open("wb") as f:
            for chunk in job.render(on_label=lambda: progress.advance(task)):
                f.write(chunk)
    tmp.replace(target)
    typer.echo(f"{total} label(s) x {job.copies} written to {target} ({job.template.name})")


# --- import and export -----------------------------------------------------------------------


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="the ledger: CSV (UTF-8) or XLSX")],
    acting_user: Annotated[
        str, typer.Option("--as", help="username recorded as the receiver in the custody events")
    ],
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="a column mapping (TOML) for other headers")
    ] = None,
    commit: Annotated[
        bool, typer.Option("--commit", help="really import (default: a dry run, nothing written)")
    ] = False,
    partial: Annotated[
        bool, typer.Option("--partial", help="import the valid rows even if others are rejected")
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="write rejected rows here (.csv or .xlsx) to fix and retry"),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="also write the full report (JSON)")
    ] = None,
) -> None:
    """Import an evidence ledger. A dry run by default; with --commit all rows or none, or
    with --partial the valid ones (the rest go to --rejects). Exit 1 if rows have errors and
    nothing was imported, 2 if the file cannot be read."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from .auth import user_by_username
    from .errors import DomainError
    from .imports import import_file, load_mapping, write_rejects

    settings = get_settings()
    db = _database(settings)
    try:
        table_mapping = load_mapping(mapping)
        with db.unit_of_work(write=False) as session:
            actor = user_by_username(session, acting_user)
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task("checking", total=None)

            def progress(phase: str, done: int, total: int | None) -> None:
                bar.update(task, description=phase, completed=done, total=total)

            outcome = import_file(
                file,
                actor,
                db.unit_of_work,
                table_mapping,
                dry_run=not commit,
                partial=partial,
                progress=progress,
            )
    except DomainError as exc:
        typer.echo(f"error: {_message(exc)}", err=True)
        raise typer.Exit(2) from None
    try:
        result = outcome.report
        for warning in result["file"]["warnings"]:
            typer.echo(f"warning: {warning}")
        for e in result["errors"][:50]:
            where = f"{e['cell'] or 'row ' + str(e['row'])} {e['column']}".strip()
            value = f" '{e['value']}'" if e["value"] else ""
            typer.echo(f"row {e['row']}: [{e['kind']}] {where}{value}: {e['message']}")
        if outcome.error_count > 50:
            typer.echo(f"... and {outcome.error_count - 50} more (see --report)")
        if result["errors_by_kind"]:
            kinds = ", ".join(f"{k} {n}" for k, n in result["errors_by_kind"].items())
            typer.echo(f"errors by kind: {kinds}")
        if rejects is not None and result["rejected_rows"]:
            count = write_rejects(outcome, table_mapping, rejects)
            typer.echo(f"{count} rejected row(s) written to {rejects}")
        if report is not None:
            report.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        typer.echo(result["message"])
    finally:
        outcome.close()
    nothing_done = result["outcome"] in ("refused", "checked")
    if nothing_done and result["rejected_rows"]:
        raise typer.Exit(1)


export_app = typer.Typer(
    help="Official exports: the ledger and the periodic report.", no_args_is_help=True
)
app.add_typer(export_app, name="export")


@export_app.command("ledger")
def export_ledger(
    out: Annotated[Path, typer.Option("--out", help="file to write: .xlsx or .pdf")],
    acting_user: Annotated[str, typer.Option("--as", help="whose view of the data")],
    warehouse: Annotated[str | None, typer.Option("--warehouse")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
) -> None:
    """The evidence ledger (sổ theo dõi vật chứng) of the items received in a period."""
    from datetime import date

    from . import exports
    from .auth import user_by_username
    from .errors import DomainError

    try:
        start = date.fromisoformat(date_from) if date_from else None
        end = date.fromisoformat(date_to) if date_to else None
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    try:
        with _database(get_settings()).unit_of_work(write=False) as session:
            actor = user_by_username(session, acting_user)
            data = exports.ledger(session, actor, warehouse, start, end)
    except DomainError as exc:
        typer.echo(f"error: {_message(exc)}", err=True)
        raise typer.Exit(1) from None
    pdf = out.suffix.lower() == ".pdf"
    out.write_bytes(exports.ledger_pdf(data) if pdf else exports.ledger_xlsx(data))
    typer.echo(f"{data.total_items} item(s), {data.total_weight_kg:g} kg written to {out}")


@export_app.command("summary")
def export_summary(
    period: Annotated[str, typer.Argument(help="2026, 2026-H1 or 2026-H2")],
    out: Annotated[Path, typer.Option("--out", help="file to write: .xlsx or .pdf")],
    acting_user: Annotated[str, typer.Option("--as", help="whose view of the data")],
) -> None:
    """The six-monthly or yearly report, with the period before alongside."""
    from . import exports
    from .auth import user_by_username
    from .errors import DomainError

    try:
        with _database(get_settings()).unit_of_work(write=False) as session:
            actor = user_by_username(session, acting_user)
            data = exports.summary(session, actor, period)
    except DomainError as exc:
        typer.echo(f"error: {_message(exc)}", err=True)
        raise typer.Exit(1) from None
    pdf = out.suffix.lower() == ".pdf"
    out.write_bytes(exports.summary_pdf(data) if pdf else exports.summary_xlsx(data))
    received = data.current.totals["received"]
    typer.echo(f"{data.period}: {received.count} item(s) received; written to {out}")


if __name__ == "__main__":
    app()
