"""Importing an existing evidence ledger (CSV or XLSX), a dry run unless told otherwise."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from ..auth import user_by_username
from ..config import get_settings
from ..errors import DomainError
from ..imports import import_file, load_mapping, preview_rows, write_rejects, write_table
from ..recording import acting_as
from .common import database, error_message


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
    rows: Annotated[
        Path | None,
        typer.Option("--rows", help="write what each row creates or why not (.csv or .xlsx)"),
    ] = None,
    corrections: Annotated[
        bool,
        typer.Option("--corrections", help="apply rows changed since imported as corrections"),
    ] = False,
    weight_unit: Annotated[
        str | None, typer.Option("--weight-unit", help="unit of bare weights: kg, g, mg, lạng")
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="the category of every row")
    ] = None,
    ledger: Annotated[
        str | None, typer.Option("--ledger", help="the ledger's name (else: warehouse and year)")
    ] = None,
) -> None:
    """Import an evidence ledger. A dry run by default; with --commit all rows or none, or
    with --partial the valid ones (the rest go to --rejects). Exit 1 if rows have errors and
    nothing was imported, 2 if the file cannot be read."""
    settings = get_settings()
    db = database(settings)
    try:
        table_mapping = load_mapping(mapping).for_file(weight_unit, category, ledger)
        with db.unit_of_work(write=False) as session:
            actor = user_by_username(session, acting_user)
        # The record events of the import name who imported.
        with (
            acting_as(actor.id),
            Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
            ) as bar,
        ):
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
                corrections=corrections,
                progress=progress,
            )
    except DomainError as exc:
        typer.echo(f"error: {error_message(exc)}", err=True)
        raise typer.Exit(2) from None
    try:
        result = outcome.report
        for warning in result["file"]["warnings"]:
            typer.echo(f"warning: {warning}")
        for footer in result["file"]["footer_rows"]:
            typer.echo(f"row {footer['row']}: {footer['kind']} row, skipped")
        for w in result["warnings"][:50]:
            typer.echo(f"row {w['row']}: warning: {w['message']}")
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
        if rows is not None:
            count = write_table(preview_rows(outcome.preview()), rows, "Kiểm tra")
            typer.echo(f"{count} row(s) described in {rows}")
        if report is not None:
            report.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str))
        typer.echo(result["message"])
    finally:
        outcome.close()
    nothing_done = result["outcome"] in ("refused", "checked")
    if nothing_done and result["rejected_rows"]:
        raise typer.Exit(1)
