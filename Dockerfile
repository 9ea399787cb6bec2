# Production image: PostgreSQL via EVIDENCE_DATABASE_URL, migrations, then the server.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# The locked dependencies with their hashes (pip and setuptools included), in their own
# layer so it is rebuilt only when the lock changes. Regenerate with `python3 dev.py lock`.
COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt
# The project itself: no dependencies of its own to resolve, built with the locked setuptools.
COPY pyproject.toml README.md ./
COPY evidence_service ./evidence_service
COPY labels ./labels
RUN pip install --no-deps --no-build-isolation . \
    && useradd --system --uid 10001 --home /app evidence && chown -R evidence /app \
    && mkdir -p /keys /anchors && chown evidence /keys /anchors
ENV EVIDENCE_LABELS_DIR=/app/labels
USER evidence
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["sh", "-c", "evidence-service migrate && exec evidence-service serve --host 0.0.0.0 --port 8000 --workers ${EVIDENCE_WORKERS:-2}"]
