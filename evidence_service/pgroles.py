"""Least privilege on PostgreSQL: migrations run as the owner of the tables; the service
connects as a role that may read and write only what it needs. It may not UPDATE, DELETE
or TRUNCATE the custody chain, the checkpoints or the append-only logs, nor DELETE items,
and, owning nothing, it cannot ALTER TABLE … DISABLE TRIGGER or drop the triggers.
``evidence-service roles grant APP_ROLE`` (run as the owner, after every ``migrate``) sets it.
"""

from sqlalchemy import Connection, inspect, text

from .logchain import LOGS

# Appended to, never changed: INSERT and SELECT only.
APPEND_ONLY = frozenset({"custody_events", "checkpoints", *LOGS})
# Changed, never removed (items leave by an event, not a DELETE).
NO_DELETE = frozenset({"items"})


def grant_statements(connection: Connection, app_role: str) -> list[str]:
    role = connection.dialect.identifier_preparer.quote(app_role)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]
    for table in sorted(inspect(connection).get_table_names()):
        rights = "SELECT, INSERT"
        if table not in APPEND_ONLY:
            rights += ", UPDATE" if table in NO_DELETE else ", UPDATE, DELETE"
        statements.append(f'GRANT {rights} ON "{table}" TO {role}')
    return statements


def grant(connection: Connection, app_role: str) -> list[str]:
    """Give ``app_role`` exactly the service's rights on every table there is now."""
    statements = grant_statements(connection, app_role)
    for statement in statements:
        connection.execute(text(statement))
    return statements
