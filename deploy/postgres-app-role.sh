#!/bin/sh
# PostgreSQL's first start (docker-entrypoint-initdb.d): the service's own login role, which
# owns nothing. The owner (POSTGRES_USER) runs the migrations and `evidence-service roles
# grant`, which gives this role only what the service needs.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE evidence_app LOGIN PASSWORD '${EVIDENCE_APP_PASSWORD:-evidence-app}';
GRANT CONNECT ON DATABASE "$POSTGRES_DB" TO evidence_app;
SQL
