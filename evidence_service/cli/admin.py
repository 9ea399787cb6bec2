"""Setting up who works in the system: agencies and users (the first ones before any admin
exists, so without an acting user)."""

import sys
from typing import Annotated

import typer
from pydantic import ValidationError

from ..agencies import AgencyCreate, create_agency
from ..auth import UserCreate, UserUpdate, create_user, enrol_totp_by_admin, update_user
from ..config import get_settings
from ..errors import DomainError
from ..totp import provisioning_uri
from .common import database, error_message

agencies_app = typer.Typer(help="Manage agencies.", no_args_is_help=True)
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)


@agencies_app.command("create")
def agencies_create(
    code: str,
    name: Annotated[str, typer.Option("--name")],
    parent: Annotated[str | None, typer.Option("--parent")] = None,
) -> None:
    """Create an agency (the first ones are created here, before any admin exists)."""
    try:
        data = AgencyCreate(code=code, name=name, parent_code=parent)
        with database(get_settings()).unit_of_work() as session:
            create_agency(session, data, actor=None)
    except (ValidationError, DomainError) as exc:
        typer.echo(f"error: {error_message(exc)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"agency {code} created")


def _read_password(prompt: str, from_stdin: bool) -> str:
    """Typed twice without echo, or one line of standard input (for scripts)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


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
    password = _read_password("password", password_stdin)
    try:
        data = UserCreate(
            username=username, full_name=full_name, role=role, agency_code=agency, password=password
        )
        with database(get_settings()).unit_of_work() as session:
            create_user(session, data)
    except (ValidationError, DomainError) as exc:
        typer.echo(f"error: {error_message(exc)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"user {username} created")


@users_app.command("reset-password")
def users_reset_password(
    username: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from standard input")
    ] = False,
) -> None:
    """Set a user's password (their tokens and web sessions end)."""
    password = _read_password("new password", password_stdin)
    try:
        with database(get_settings()).unit_of_work() as session:
            update_user(session, username, UserUpdate(password=password), None)
    except (ValidationError, DomainError) as exc:
        typer.echo(f"error: {error_message(exc)}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"password of {username} reset")


@users_app.command("totp-enrol")
def users_totp_enrol(
    username: str,
    remove: Annotated[bool, typer.Option("--remove", help="remove two-factor sign-in")] = False,
) -> None:
    """Give a user two-factor sign-in now (prints the secret and its otpauth link for their
    app), or remove it."""
    try:
        with database(get_settings()).unit_of_work() as session:
            secret = enrol_totp_by_admin(session, username, remove)
    except DomainError as exc:
        typer.echo(f"error: {error_message(exc)}", err=True)
        raise typer.Exit(1) from None
    if secret is None:
        typer.echo(f"two-factor sign-in removed for {username}")
        return
    typer.echo(f"secret: {secret}")
    typer.echo(f"otpauth: {provisioning_uri(secret, username)}")
