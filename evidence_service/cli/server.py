"""Running the service: the HTTP server and the database migrations."""

import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from .. import custody, keys
from ..config import get_settings
from ..demo import DEMO_PASSWORD, seed_demo
from ..tls import Certificate, IPAddress, ensure_certificate, host_names_and_addresses
from .common import database


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    demo: Annotated[
        bool, typer.Option(help="demo secret and demo data; never in production")
    ] = False,
    workers: int = 1,
    https: Annotated[
        bool,
        typer.Option(help="HTTPS with a self-signed certificate (made once): phone cameras"),
    ] = False,
    tls_dir: Annotated[
        Path, typer.Option(help="where the certificate and its key are kept")
    ] = Path("tls"),
    https_name: Annotated[
        list[str] | None,
        typer.Option(help="another name or address the phones use (repeatable)"),
    ] = None,
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
    scheme, tls = "http", {}
    if https:
        scheme = "https"
        names, addresses = tls_names(host, https_name or [])
        cert = ensure_certificate(tls_dir, names, addresses)
        for line in trust_instructions(cert, port):
            typer.echo(line)
        tls = {"ssl_certfile": str(cert.cert_path), "ssl_keyfile": str(cert.key_path)}
    typer.echo(
        f"Open {scheme}://{shown}:{port}/ in a browser (API docs: {scheme}://{shown}:{port}/docs)"
    )
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
        **tls,  # type: ignore[arg-type]
    )


def tls_names(host: str, extra: list[str]) -> tuple[list[str], list[IPAddress]]:
    """The certificate's names: the host's own, the address it listens on, and ``extra``."""
    listen = [] if host in ("0.0.0.0", "::", "") else [host]
    return host_names_and_addresses([*listen, *extra])


def trust_instructions(cert: Certificate, port: int) -> list[str]:
    """What the operator reads: where the certificate is, its fingerprint, how a phone trusts it."""
    state = "created" if cert.created else "reused"
    lan = [a for a in cert.addresses if a not in ("127.0.0.1", "::1")]
    where = ", ".join(f"https://{a}:{port}/" for a in lan) or f"https://localhost:{port}/"
    return [
        f"HTTPS certificate {state}: {cert.cert_path} (key: {cert.key_path})",
        f"  names: {', '.join(cert.names)}; addresses: {', '.join(cert.addresses)}",
        f"  SHA-256 fingerprint: {cert.fingerprint}",
        "  To trust it on a phone (once): copy the .crt file to the phone (e-mail, USB, chat),",
        "    Android: Settings > Security > Encryption & credentials > Install a certificate >"
        " CA certificate;",
        "    iPhone: open the file, Settings > Profile Downloaded > Install, then Settings >"
        " General > About > Certificate Trust Settings > enable it.",
        "  Compare the fingerprint the phone shows with the one above before trusting it.",
        f"  Phones on this network open: {where}",
    ]


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
