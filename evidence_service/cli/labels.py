"""Printing QR labels for items and locations to a PDF or ZPL file."""

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from ..auth import user_by_username
from ..config import get_settings
from ..errors import DomainError
from ..labels import LabelRequest, prepare_print, template_list
from ..recording import acting
from .common import database, error_message

labels_app = typer.Typer(help="Print QR labels for items and locations.", no_args_is_help=True)


@labels_app.command("templates")
def labels_templates() -> None:
    """List the label templates (the TOML files in labels/)."""
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
        with database(settings).unit_of_work() as session:
            actor = user_by_username(session, acting_user)
            acting(session, actor.id)  # the record events name who printed
            job = prepare_print(session, actor, settings, request)
    except (ValidationError, DomainError) as exc:
        typer.echo(f"error: {error_message(exc)}", err=True)
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
