"""The ``evidence-service`` command line: the root ``app`` and where each command lives.

Commands are registered here in the order ``--help`` lists them; a group of commands
(agencies, users, labels, export) is its own Typer app in its module.
"""

import typer

from .admin import agencies_app, users_app
from .exports import export_app
from .imports import import_command
from .keys import keys_app, logs_app, roles_app
from .labels import labels_app
from .records import anchor_command, backup, restore, verify
from .server import migrate, serve

app = typer.Typer(help="Evidence storage and destruction tracking service.", no_args_is_help=True)
app.command()(serve)
app.command()(migrate)
app.add_typer(keys_app, name="keys")
app.add_typer(roles_app, name="roles")
app.add_typer(logs_app, name="logs")
app.add_typer(agencies_app, name="agencies")
app.add_typer(users_app, name="users")
app.command()(verify)
app.command("anchor")(anchor_command)
app.command()(backup)
app.command()(restore)
app.add_typer(labels_app, name="labels")
app.command("import")(import_command)
app.add_typer(export_app, name="export")

__all__ = ["app"]
