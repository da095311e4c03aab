"""Compare the addressable objects (SAO and PAO numbers) of a query and a candidate (pure).

The query's roles may be guesses (see :mod:`gazetteer.addressparse`); :func:`readings` lists the
ways its numbers may be read, and the matcher keeps the reading that agrees best.
"""

from __future__ import annotations

from dataclasses import dataclass

from gazetteer import matchtext
from gazetteer.addressparse import ParsedAddress
from gazetteer.addresstokens import AonParts

MATCHED = "matched"
PARTIAL = "partial"
MISSING = "missing"
CONFLICTING = "conflicting"


@dataclass(frozen=True, kw_only=True, slots=True)
class AonVerdict:
    """One component's verdict; ``status`` None means neither side has the component."""

    status: str | None
    similarity: float = 0.0
    query: str | None = None
    candidate: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Reading:
    sao: AonParts
    pao: AonParts


def readings(parsed: ParsedAddress) -> list[Reading]:
    """The parser's reading, then the other readings its uncertain roles allow."""
    sao, pao = parsed.sao, parsed.pao
    found = [Reading(sao=sao, pao=pao)]
    if parsed.slash_form:
        found.append(Reading(sao=_numbers_only(pao), pao=_numbers_only(sao).with_text(pao.text)))
        found += _slash_range(pao, sao)
    if parsed.sao_from_keyword:
        return found
    if sao.is_empty and pao.has_number:
        found.append(Reading(sao=_numbers_only(pao), pao=AonParts(text=pao.text)))
    if sao.has_number and not pao.has_number:
        found.append(Reading(sao=AonParts(), pao=_numbers_only(sao).with_text(pao.text)))
    return found


def _slash_range(first: AonParts, second: AonParts) -> list[Reading]:
    """``12/14 HIGH ST`` may also be the range 12-14 (two plain numbers, rising)."""
    plain = first.suffix is None and second.suffix is None
    if not plain or first.number is None or second.number is None:
        return []
    if first.number >= second.number:
        return []
    pao = AonParts(number=first.number, end_number=second.number, text=first.text)
    return [Reading(sao=AonParts(), pao=pao)]


def _numbers_only(aon: AonParts) -> AonParts:
    return AonParts(
        number=aon.number,
        suffix=aon.suffix,
        end_number=aon.end_number,
        end_suffix=aon.end_suffix,
    )


def compare_pao_numbers(query: AonParts, candidate: AonParts) -> AonVerdict:
    """The PAO number range: equal, overlapping (partial), absent on one side, or different."""
    shown_q, shown_c = query.range_text() or None, candidate.range_text() or None
    if not query.has_number and not candidate.has_number:
        return AonVerdict(status=None)
    if not query.has_number:
        return AonVerdict(status=MISSING, candidate=shown_c)
    if not candidate.has_number:
        return AonVerdict(status=CONFLICTING, query=shown_q)
    return AonVerdict(
        status=_number_status(query, candidate),
        similarity=1.0 if shown_q == shown_c else 0.0,
        query=shown_q,
        candidate=shown_c,
    )


def _number_status(query: AonParts, candidate: AonParts) -> str:
    if query.range_text() == candidate.range_text():
        return MATCHED
    if query.number == candidate.number and query.suffix != candidate.suffix:
        return CONFLICTING
    if _overlaps(query, candidate) and (query.suffix, candidate.suffix) == (None, None):
        return PARTIAL
    return CONFLICTING


def _overlaps(first: AonParts, second: AonParts) -> bool:
    def bounds(aon: AonParts) -> tuple[int, int]:
        start = aon.number or 0
        return start, aon.end_number or start

    a_lo, a_hi = bounds(first)
    b_lo, b_hi = bounds(second)
    return a_lo <= b_hi and b_lo <= a_hi


def compare_sao(query: AonParts, candidate: AonParts) -> AonVerdict:
    """The whole SAO: its number range, its text (``GROUND FLOOR``) and its kind (FLAT, UNIT)."""
    shown_q, shown_c = _sao_label(query), _sao_label(candidate)
    if query.is_empty and candidate.is_empty:
        return AonVerdict(status=None)
    if query.is_empty:
        return AonVerdict(status=MISSING, candidate=shown_c)
    if candidate.is_empty:
        return AonVerdict(status=CONFLICTING, query=shown_q)
    status, score = _sao_status(query, candidate)
    return AonVerdict(status=status, similarity=score, query=shown_q, candidate=shown_c)


def _sao_status(query: AonParts, candidate: AonParts) -> tuple[str, float]:
    if query.has_number or candidate.has_number:
        numbers = compare_pao_numbers(_numbers_only(query), _numbers_only(candidate))
        if numbers.status != MATCHED:
            return CONFLICTING, 0.0
        return _kind_status(query, candidate, text_ok=_texts_agree(query, candidate))
    score = matchtext.similarity(_text_key(query), _text_key(candidate))
    if score == 1.0:
        return _kind_status(query, candidate, text_ok=True)
    return (PARTIAL, score) if score >= 0.8 else (CONFLICTING, score)


def _kind_status(query: AonParts, candidate: AonParts, *, text_ok: bool) -> tuple[str, float]:
    kinds_differ = query.kind and candidate.kind and query.kind != candidate.kind
    if kinds_differ or not text_ok:
        return PARTIAL, 0.7
    return MATCHED, 1.0


def _texts_agree(query: AonParts, candidate: AonParts) -> bool:
    """Numbers already agree; texts must not contradict (a missing text is no contradiction)."""
    if not query.text or not candidate.text:
        return True
    return matchtext.similarity(_text_key(query), _text_key(candidate)) >= 0.8


def _text_key(aon: AonParts) -> str:
    """The SAO text compared: ``TOP FLOOR`` and ``TOP`` (of ``TOP FLAT``) are one flat."""
    found = matchtext.words_of(aon.text)
    return "".join(w for w in found if w != "FLOOR") or "".join(found)


def _sao_label(aon: AonParts) -> str | None:
    parts = [aon.text or "", aon.kind or "", aon.range_text()]
    return " ".join(p for p in parts if p) or None
