"""``python -m api.cli``: the ``addresshub`` command (how ``worker --processes`` starts its own)."""

from api.cli import worker_pool
from api.cli.main import app

if __name__ == "__main__":
    worker_pool.follow_parent()
    app()
