"""Narrowing a stored event body at send time (sharing-and-delivery §3.7), pure.

When the rule in force now permits fewer field groups than were planned, the body loses every
``data`` path the remaining groups do not cover, ``data.fields`` lists the remaining groups,
and the result is canonical JSON again. Widening never happens here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from notify import canonical, projection


def narrow(body: bytes, fields: Sequence[str]) -> bytes:
    """The body with only the paths of ``fields`` (plus the envelope paths) left in ``data``."""
    event = json.loads(body)
    permitted = projection.permitted_paths(fields)
    pruned = _prune(event.get("data", {}), "data", permitted)
    data: dict[str, Any] = pruned if isinstance(pruned, dict) else {}
    data["fields"] = sorted(fields)
    return canonical.dumps({**event, "data": data})


def _prune(value: Any, path: str, permitted: frozenset[str]) -> Any:
    """``value`` without unpermitted leaves; containers left empty by pruning go too."""
    if isinstance(value, dict) and value:
        pruned = {k: _prune(v, f"{path}.{k}", permitted) for k, v in value.items()}
        kept = {k: v for k, v in pruned.items() if v is not _DROP}
        return kept or _DROP
    if isinstance(value, list) and value:
        items = [v for v in (_prune(i, f"{path}[]", permitted) for i in value) if v is not _DROP]
        return items or _DROP
    return value if projection.path_permitted(path, permitted) else _DROP


_DROP: Any = object()
