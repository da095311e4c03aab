"""``python -m api.cli``: the ``addresshub`` command (how ``worker --processes`` starts its own)."""

from api.cli.main import app

app()
