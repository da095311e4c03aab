"""Addresses given as text on intake (journey J2), and what the matcher's answer means. Pure.

A move may name its new or old address by UPRN, or as text (or lines and a postcode) that is
matched against the gazetteer on intake. The evidence of the match is kept with the move.

* New address, ``matched``: that UPRN is used.
* New address, ``review`` or ``unmatched``, or the citizen says it is not listed: the move is
  accepted but its new UPRN is pending. An interim record goes to the custodian, and every
  candidate service waits with the routing hold ``NEW_UPRN_PENDING``; nothing is sent as free
  text.
* New address given as a UPRN the gazetteer does not hold (a partner's new build not yet
  loaded, or a typo): the same as "not listed". The move is accepted with its new UPRN
  pending and an interim record noting "UPRN N not in the gazetteer"; the stated UPRN is kept
  in the evidence, so a later load that creates it settles the record.
* Old address, ``matched``: that UPRN is used. Otherwise the old address stays text with no
  UPRN (J2: an old address outside the gazetteer may be typed in); routing then sees no old
  point, so no service is routed as the leaving one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from gazetteer import matching

Side = Literal["new", "old"]
Origin = Literal["no_confident_match", "not_listed"]
CANDIDATES_KEPT: Final = 5
MATCHED: Final = matching.STATUS_MATCHED


@dataclass(frozen=True, kw_only=True, slots=True)
class AddressInput:
    """An address as typed: free text, or lines and a postcode (joined in that order).

    ``not_listed``: the citizen says the gazetteer lacks it (new address only); a provisional
    point (WGS84) may come with it, for the custodian."""

    text: str | None = None
    lines: tuple[str, ...] = ()
    postcode: str | None = None
    not_listed: bool = False
    latitude: float | None = None
    longitude: float | None = None

    def as_text(self) -> str:
        parts = [self.text or "", *self.lines, self.postcode or ""]
        return ", ".join(p.strip() for p in parts if p and p.strip())


@dataclass(frozen=True, kw_only=True, slots=True)
class Resolved:
    """One side's address after intake: its UPRN if confident, the evidence, the text kept.

    ``interim`` names why the new address waits for the custodian (``None`` when it does not).
    """

    uprn: int | None
    text: str | None
    evidence: Mapping[str, Any]
    interim: Origin | None = None

    @property
    def pending(self) -> bool:
        return self.interim is not None


def _candidate(scored: matching.ScoredCandidate) -> dict[str, Any]:
    return {
        "uprn": scored.candidate.uprn,
        "label": scored.candidate.label,
        "dataset": scored.candidate.source,
        "score": round(scored.score, 4),
        "match_reason": scored.match_reason,
        "blockers": list(scored.blockers),
    }


def evidence_of(result: matching.MatchResult, *, chosen_by: str = "matcher") -> dict[str, Any]:
    """The match evidence kept with the move: status, score, margin, reason, candidates.

    Candidates carry gazetteer labels and scores only; the typed text is kept apart."""
    return {
        "method": "text_match",
        "status": result.status,
        "uprn": result.uprn,
        "score": round(result.score, 4),
        "margin": round(result.margin, 4),
        "match_reason": result.match_reason,
        "blockers": list(result.blockers),
        "candidate_count": len(result.candidates),
        "candidates": [_candidate(c) for c in result.candidates[:CANDIDATES_KEPT]],
        "chosen_by": chosen_by if result.status == MATCHED else None,
    }


def decide(address: AddressInput, result: matching.MatchResult, *, side: Side) -> Resolved:
    """What a match result means for one side of a move (see the module docstring)."""
    text = address.as_text()
    evidence = evidence_of(result)
    if address.not_listed:
        interim: Origin | None = "not_listed" if side == "new" else None
        return Resolved(uprn=None, text=text, evidence=evidence, interim=interim)
    if result.status == MATCHED and result.uprn is not None:
        return Resolved(uprn=result.uprn, text=None, evidence=evidence)
    if side == "new":
        return Resolved(uprn=None, text=text, evidence=evidence, interim="no_confident_match")
    return Resolved(uprn=None, text=text, evidence=evidence)


def uprn_not_held(uprn: int) -> Resolved:
    """A new UPRN given directly that the gazetteer does not hold: it waits like "not listed"."""
    evidence: dict[str, Any] = {
        "method": "uprn",
        "status": "not_in_gazetteer",
        "uprn": None,
        "stated_uprn": uprn,
        "candidate_count": 0,
        "candidates": [],
        "chosen_by": None,
    }
    text = f"UPRN {uprn} not in the gazetteer"
    return Resolved(uprn=None, text=text, evidence=evidence, interim="not_listed")


def stated_uprn(evidence: Mapping[str, Any] | None) -> int | None:
    """The UPRN a move gave for its new address that the gazetteer did not hold, if any."""
    if not evidence or evidence.get("method") != "uprn":
        return None
    stated = evidence.get("stated_uprn")
    return stated if isinstance(stated, int) else None


def custodian_evidence(
    earlier: Mapping[str, Any] | None,
    *,
    uprn: int,
    actor: str | None,
    chosen_by: str = "custodian",
) -> dict[str, Any]:
    """The new address's evidence once the custodian (or a load that created the stated UPRN,
    ``chosen_by="gazetteer_load"``) has settled its UPRN; the earlier evidence is kept."""
    return {
        **(dict(earlier) if earlier else {}),
        "status": MATCHED,
        "uprn": uprn,
        "chosen_by": chosen_by,
        "custodian": actor,
    }
