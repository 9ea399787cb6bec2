"""The signing keys: ``keys create`` (refuses to overwrite), ``keys rotate``, ``keys show``."""

from pathlib import Path
from typing import Annotated

import typer

from .. import keys
from ..config import get_settings

keys_app = typer.Typer(help="The custody record's Ed25519 signing keys.", no_args_is_help=True)


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
