"""The registry as the sharing use cases read it: kept per database and read again only after
a registry row changed."""

from __future__ import annotations

from sqlalchemy import orm

from notify import domain
from notify import registry_repository as registry_repo
from notify.dispatch import registry_cache

_REGISTRIES: dict[str, registry_cache.CachedRegistry] = {}


def load_registry(
    session: orm.Session, *, mark: tuple[object, ...] | None = None
) -> domain.Registry:
    """The registry, read again only after a registry row changed (kept per database behind
    the one-row mark of :mod:`notify.dispatch.registry_cache`, or ``mark``: that mark read
    by another statement of this transaction; on SQLite, after any change)."""
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    kept = _REGISTRIES.setdefault(url, registry_cache.CachedRegistry(registry_repo.load))
    return kept(session, mark=mark)
