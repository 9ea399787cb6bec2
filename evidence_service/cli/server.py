"""Running the service: the HTTP server and the database migrations."""

import os
from typing import Annotated

import typer
import uvicorn

from .. import custody, keys
from ..config import get_settings
from ..demo import DEMO_PASSWORD, seed_demo
from .common import database


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    demo: Annotated[
        bool, typer.Option(help="demo secret and demo data; never in production")
    ] = False,
    workers: int = 1,
) -> None:
    """Run the HTTP server (applies pending migrations when using the SQLite default)."""
    if demo:
        os.environ["EVIDENCE_DEMO"] = "true"
        if not os.environ.get("EVIDENCE_SIGNING_KEY_FILE"):  # a demo key of its own
            if not keys.DEMO_KEY_FILE.exists():
                keys.create_key_file(keys.DEMO_KEY_FILE)
            os.environ["EVIDENCE_SIGNING_KEY_FILE"] = str(keys.DEMO_KEY_FILE.resolve())
        get_settings.cache_clear()
    settings = get_settings()
    try:
        settings.check_secret()
        keys.setup(settings.signing_key_file, settings.public_keys_file, required=True)
    except RuntimeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    db = database(settings)
    if settings.is_sqlite or demo:
        db.migrate()
    with db.unit_of_work() as session:
        custody.seal(session)
    if demo:
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
        # X-Forwarded-For is believed only from EVIDENCE_TRUSTED_PROXIES (none by default).
        proxy_headers=bool(settings.trusted_proxy_list),
        forwarded_allow_ips=",".join(settings.trusted_proxy_list) or "",
    )


def migrate(revision: str = "head") -> None:
    """Apply database migrations."""
    db = database(get_settings())
    db.migrate(revision)
    current, head = db.migration_status()
    if current == head:
        try:
            keys.signer()
        except keys.KeyFileError:
            typer.echo("note: no signing key set; the service seals the chain when it starts")
        else:
            with db.unit_of_work() as session:
                if custody.seal(session):
                    typer.echo("the chain's head is signed (sealed)")
    typer.echo(f"database at revision {current}")
