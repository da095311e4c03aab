"""Text comparison for address matching (pure): edit distance and word-window search.

A component (a street, a town) is found in a query's pool of words by sliding a window of
neighbouring words over the pool and comparing the words run together, so ``NEW TOWN`` finds
``NEWTOWN`` and ``HIHG STREET`` finds ``HIGH STREET`` at one transposition.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

# Words that carry no identity on their own: ignored when counting what a candidate leaves
# unexplained, and dropped before comparing names.
STOP_WORDS = frozenset({"THE", "AND", "OF"})


@dataclass(frozen=True, kw_only=True, slots=True)
class WindowMatch:
    """Where a component's words were found in the pool and how alike they were (0..1)."""

    start: int
    end: int
    similarity: float


def distance(first: str, second: str, *, limit: int = 3) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap neighbours).

    Stops early and returns ``limit + 1`` once the distance must exceed ``limit``.
    """
    if first == second:
        return 0
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            cost = 0 if a == b else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=65536)
def similarity(first: str, second: str) -> float:
    """1 - distance / longer length, with distances past a third of the length scored 0."""
    longest = max(len(first), len(second))
    if longest == 0:
        return 1.0
    limit = max(1, longest // 3)
    found = distance(first, second, limit=limit)
    return 0.0 if found > limit else 1.0 - found / longest


def find_window(component: tuple[str, ...], pool: list[str]) -> WindowMatch | None:
    """The run of pool words most like ``component`` (exact first, then fuzzy), or None."""
    if not component or not pool:
        return None
    exact = _exact_window(component, pool)
    if exact is not None:
        return exact
    target = "".join(component)
    best: WindowMatch | None = None
    for size in range(max(1, len(component) - 1), len(component) + 2):
        for start in range(len(pool) - size + 1):
            score = similarity(target, "".join(pool[start : start + size]))
            if score > 0 and (best is None or score > best.similarity):
                best = WindowMatch(start=start, end=start + size, similarity=score)
    return best


def _exact_window(component: tuple[str, ...], pool: list[str]) -> WindowMatch | None:
    size = len(component)
    first = component[0]
    for start, word in enumerate(pool):
        if word == first and tuple(pool[start : start + size]) == component:
            return WindowMatch(start=start, end=start + size, similarity=1.0)
    target = "".join(component)
    for width in (size - 1, size + 1):
        for start in range(max(0, len(pool) - width + 1)):
            if width > 0 and "".join(pool[start : start + width]) == target:
                return WindowMatch(start=start, end=start + width, similarity=1.0)
    return None


def shared_words(component: tuple[str, ...], pool: list[str]) -> int:
    """How many of the component's words (stop words aside) appear in the pool as they are."""
    present = set(pool)
    return sum(1 for w in component if w in present and w not in STOP_WORDS)


@lru_cache(maxsize=65536)
def words_of(text: str | None) -> tuple[str, ...]:
    """The words of a canonical text, stop words dropped unless nothing else is left."""
    if not text:
        return ()
    all_words = tuple(text.split())
    kept = tuple(w for w in all_words if w not in STOP_WORDS)
    return kept or all_words
