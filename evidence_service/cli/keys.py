"""The record's guards: the signing keys (``keys create`` refuses to overwrite, ``keys
rotate``) and the PostgreSQL app role's rights (``roles grant``)."""

from pathlib import Path
from typing import Annotated

import typer

from .. import keys, logchain, pgroles
from ..config import get_settings
from .common import database

keys_app = typer.Typer(help="The custody record's Ed25519 signing keys.", no_args_is_help=True)
logs_app = typer.Typer(help="The append-only logs: pruning by policy.", no_args_is_help=True)
roles_app = typer.Typer(
    help="PostgreSQL roles: least privilege for the service.", no_args_is_help=True
)


def _path(given: Path | None) -> Path:
    path = given or get_settings().signing_key_file
    if path is None:
        typer.echo("error: give --file or set EVIDENCE_SIGNING_KEY_FILE", err=True)
        raise typer.Exit(2)
    return path


FileOption = Annotated[
    Path | None, typer.Option("--file", help="default: EVIDENCE_SIGNING_KEY_FILE")
]


@keys_app.command("create")
def create(file: FileOption = None) -> None:
    """Write a new key pair: the private key (mode 0600) and FILE.pub beside it. Never
    overwrites a key."""
    path = _path(file)
    try:
        key = keys.create_key_file(path)
    except keys.KeyFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"key {key.key_id} written to {path}; public keys in {keys.public_path(path)}")


@keys_app.command("rotate")
def rotate(file: FileOption = None) -> None:
    """Start signing with a new key; the old public key stays in FILE.pub, so events it
    signed still verify."""
    path = _path(file)
    try:
        key = keys.create_key_file(path, rotate=True)
    except keys.KeyFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"now signing with key {key.key_id}; restart the service")


@roles_app.command("grant")
def roles_grant(
    app_role: Annotated[str, typer.Argument(help="the role the service connects as")],
) -> None:
    """PostgreSQL: give the service's role only what it needs (run as the owner, after
    `migrate`): no UPDATE/DELETE/TRUNCATE on the chain and the logs, owning nothing."""
    settings = get_settings()
    if settings.is_sqlite:
        typer.echo("error: roles are for PostgreSQL; SQLite has none", err=True)
        raise typer.Exit(2)
    db = database(settings)
    with db.engine.begin() as connection:
        statements = pgroles.grant(connection, app_role)
    typer.echo(f"granted {app_role} the service's rights on {len(statements) - 3} tables")


@logs_app.command("prune")
def logs_prune(
    log: Annotated[str, typer.Argument(help="scan_log, security_events or login_attempts")],
    up_to: Annotated[int, typer.Option("--up-to", help="remove rows up to this seq")],
) -> None:
    """Remove a log's old rows by policy, with a signed event saying so ("pruned up to N").
    On PostgreSQL run it as the owner: the service's role may not delete log rows."""
    if log not in logchain.LOGS:
        typer.echo(f"error: unknown log '{log}' (known: {', '.join(logchain.LOGS)})", err=True)
        raise typer.Exit(2)
    db = database(get_settings())
    try:
        with db.unit_of_work() as session:
            gone = logchain.prune(session, log, up_to, None)
    except (ValueError, keys.KeyFileError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"pruned {gone} rows of {log} up to seq {up_to}")
