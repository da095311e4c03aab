"""The sharing tables (migration ``0004_notify``): registry, people and moves, outbox and ledger.

Importing this package registers every table on ``core.tables.Base.metadata``.
"""

from __future__ import annotations

from notify.tables import interim, moves, outbox, registry, review

__all__ = ["interim", "moves", "outbox", "registry", "review"]
