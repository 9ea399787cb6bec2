"""The official exports: the evidence ledger and the periodic report, as XLSX or PDF."""

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from .. import exports
from ..auth import user_by_username
from ..config import get_settings
from ..errors import DomainError
from .common import database, error_message

export_app = typer.Typer(
    help="Official exports: the ledger and the periodic report.", no_args_is_help=True
)


@export_app.command("ledger")
def export_ledger(
    out: Annotated[Path, typer.Option("--out", help="file to write: .xlsx or .pdf")],
    acting_user: Annotated[str, typer.Option("--as", help="whose view of the data")],
    warehouse: Annotated[str | None, typer.Option("--warehouse")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="YYYY-MM-DD")] = None,
) -> None:
    """The evidence ledger (Mẫu 13) of a period: every item held in it, with its balances."""
    try:
        start = date.fromisoformat(date_from) if date_from else None
        end = date.fromisoformat(date_to) if date_to else None
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    try:
        with database(get_settings()).unit_of_work(write=False) as session:
            actor = user_by_username(session, acting_user)
            data = exports.ledger(session, actor, warehouse, start, end)
    except DomainError as exc:
        typer.echo(f"error: {error_message(exc)}", err=True)
        raise typer.Exit(1) from None
    pdf = out.suffix.lower() == ".pdf"
    out.write_bytes(exports.ledger_pdf(data) if pdf else exports.ledger_xlsx(data))
    typer.echo(
        f"{len(data.lines)} line(s), {data.total_items} item(s) held at the end, "
        f"{data.total_weight_kg:g} kg, written to {out}"
    )


@export_app.command("summary")
def export_summary(
    period: Annotated[str, typer.Argument(help="2026, 2026-H1, 2026-Q4, 2026-TK6, 2026-TK12")],
    out: Annotated[Path, typer.Option("--out", help="file to write: .xlsx or .pdf")],
    acting_user: Annotated[str, typer.Option("--as", help="whose view of the data")],
) -> None:
    """The six-monthly or yearly report, with the period before alongside."""
    try:
        with database(get_settings()).unit_of_work(write=False) as session:
            actor = user_by_username(session, acting_user)
            data = exports.summary(session, actor, period)
    except DomainError as exc:
        typer.echo(f"error: {error_message(exc)}", err=True)
        raise typer.Exit(1) from None
    pdf = out.suffix.lower() == ".pdf"
    out.write_bytes(exports.summary_pdf(data) if pdf else exports.summary_xlsx(data))
    received = data.current.totals["received"]
    typer.echo(f"{data.period}: {received.count} item(s) received; written to {out}")
