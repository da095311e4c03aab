"""British National Grid <-> WGS84 for batches of points, vectorised (pure).

PROJ picks the best transformation it has: with the OSTN15 grid installed that is OS's own
(centimetre accuracy); without it a Helmert transformation (a few metres), which is
ample for postcode and list points.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Final

import numpy as np
import pyproj

from core.tables import BNG_SRID, WGS84_SRID

Point = tuple[float | None, float | None]
DEGREE_PLACES: Final = 7
METRE_PLACES: Final = 2


@lru_cache(maxsize=4)
def _transformer(source: int, target: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def to_wgs84(points: Sequence[Point]) -> list[Point]:
    """(easting, northing) -> (longitude, latitude); ``None`` stays ``None``."""
    return _transform(points, BNG_SRID, WGS84_SRID, DEGREE_PLACES)


def to_bng(points: Sequence[Point]) -> list[Point]:
    """(longitude, latitude) -> (easting, northing); ``None`` stays ``None``."""
    return _transform(points, WGS84_SRID, BNG_SRID, METRE_PLACES)


def _transform(points: Sequence[Point], source: int, target: int, places: int) -> list[Point]:
    if not points:
        return []
    xs = np.array([np.nan if x is None else x for x, _ in points], dtype=float)
    ys = np.array([np.nan if y is None else y for _, y in points], dtype=float)
    out_x, out_y = _transformer(source, target).transform(xs, ys)
    return [_pair(a, b, places) for a, b in zip(out_x.tolist(), out_y.tolist(), strict=True)]


def _pair(x: float, y: float, places: int) -> Point:
    if not (np.isfinite(x) and np.isfinite(y)):
        return None, None
    return round(x, places), round(y, places)
