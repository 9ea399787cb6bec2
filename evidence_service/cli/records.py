"""Keeping the records trustworthy: the custody chain's check and anchor, and backups of the
SQLite database (PostgreSQL has its own tools)."""

import json
import sqlite3
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from .. import keys
from ..checkpoints import heads_now
from ..config import Settings, get_settings
from ..links import Anchor
from ..verification import verify_record
from .common import database


def _anchor(value: str) -> Anchor:
    """An anchor file (JSON from `anchor` or a checkpoint file), or the value printed on a
    PDF footer (``EV 1234 0a1b2c3d4e5f6a7b``)."""
    path = Path(value)
    try:
        text = path.read_text() if path.is_file() else value
        return Anchor.parse(text)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: cannot read anchor {value}: {exc}", err=True)
        raise typer.Exit(2) from None


def verify(
    anchor: Annotated[
        str | None,
        typer.Option(
            help="an anchor file, or the chain head printed on a PDF ('EV 1234 0a1b…'): also "
            "prove nothing before it changed"
        ),
    ] = None,
    public_keys: Annotated[
        Path | None,
        typer.Option(help="the public keys file (default: EVIDENCE_PUBLIC_KEYS_FILE or KEY.pub)"),
    ] = None,
) -> None:
    """Check the whole record: the chain's hashes and signatures, every item and record
    replayed from it against the tables, the logs, the checkpoints; exit non-zero naming
    the first table and row that fail. Needs only the public keys."""
    given = _anchor(anchor) if anchor is not None else None
    settings = get_settings()
    db = database(settings)
    try:
        ring = keys.Keyring.read(public_keys) if public_keys else keys.keyring()
    except keys.KeyFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if not ring.keys:
        typer.echo(
            "error: no public keys: pass --public-keys or set EVIDENCE_PUBLIC_KEYS_FILE", err=True
        )
        raise typer.Exit(2)
    with db.unit_of_work(write=False) as session:
        result = verify_record(session, given, ring)
    if result.problem is not None:
        typer.echo(f"FAILED after {result.events_checked} good events: {result.problem}", err=True)
        raise typer.Exit(1)
    against = f", consistent with the anchor of {given.at}" if given else ""
    typer.echo(f"OK: {result.events_checked} events, head {result.head_hash}{against}")


def anchor_command(
    out: Annotated[Path | None, typer.Option("--out", help="also write it to this file")] = None,
) -> None:
    """Print the chain head (event count, head hash, time) to keep outside the system."""
    with database(get_settings()).unit_of_work(write=False) as session:
        text = json.dumps(heads_now(session).to_dict(), indent=2)
    if out is not None:
        out.write_text(text + "\n")
    typer.echo(text)


def _sqlite_path(settings: Settings) -> Path:
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        typer.echo(
            "error: backup/restore here are for the SQLite database; on PostgreSQL use "
            "pg_dump -Fc / pg_restore (see the README)",
            err=True,
        )
        raise typer.Exit(2)
    return Path(url.database)


def backup(file: Path) -> None:
    """Consistent online copy of the SQLite database, safe while the server is writing."""
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


def restore(
    file: Path,
    force: Annotated[bool, typer.Option(help="replace an existing database")] = False,
) -> None:
    """Restore a backup over the SQLite database. Stop the server first."""
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
