"""``python -m evidence_service.cli``, as the ``evidence-service`` script."""

from . import app

app()
