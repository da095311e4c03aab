"""Schemas for finding and matching addresses: search, postcode lists, lookup and match."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas import addresses, types
from gazetteer import find, matching, spatial

Dataset = Literal["lpi", "dpa", "listed"]
MatchStatus = Literal["matched", "review", "unmatched"]
EvidenceStatus = Literal["matched", "partial", "missing", "conflicting"]


class _Schema(BaseModel):
    model_config = ConfigDict(frozen=True)


class Span(_Schema):
    start: int = Field(description="Offset of the first highlighted character in the label.")
    end: int = Field(description="Offset just after the last highlighted character.")


class AddressSummary(_Schema):
    uprn: int
    label: str = Field(description="The address on one line (geographic, postal or listed).")
    dataset: Dataset = Field(description="Where the label comes from: LPI, delivery point, list.")
    postcode: str | None
    classification: str | None = None
    score: float | None = Field(default=None, description="Search score, 0 to 1.")
    highlights: list[Span] = Field(default_factory=list)

    @classmethod
    def from_summary(cls, summary: find.AddressSummary) -> AddressSummary:
        return cls(
            uprn=summary.uprn,
            label=summary.label,
            dataset=summary.source,
            postcode=summary.postcode,
            classification=summary.classification,
            score=summary.score,
            highlights=[Span(start=a, end=b) for a, b in summary.highlights],
        )


class SearchPage(_Schema):
    query: str
    total: int = Field(description="How many addresses the search considered.")
    limit: int
    offset: int
    results: list[AddressSummary]


class AddressList(_Schema):
    count: int
    addresses: list[AddressSummary]


class LookupRequest(_Schema):
    uprns: list[types.Uprn] = Field(min_length=1, max_length=100)


class LookupResponse(_Schema):
    addresses: list[addresses.Address]
    missing: list[int] = Field(description="Requested UPRNs the gazetteer does not hold.")


class MatchRequest(_Schema):
    """One address: free text, or lines and a postcode (joined in that order)."""

    text: str | None = Field(default=None, max_length=500, examples=["flat 2, 10 high st, ex1 1ae"])
    lines: list[str] | None = Field(default=None, max_length=10)
    postcode: str | None = Field(default=None, max_length=10)
    limit: int = Field(default=5, ge=1, le=50)

    @model_validator(mode="after")
    def _some_address(self) -> MatchRequest:
        if not self.text and not self.lines and not self.postcode:
            raise ValueError("give text, or lines and/or a postcode")
        return self

    def as_text(self) -> str:
        parts = [self.text or "", *(self.lines or []), self.postcode or ""]
        return ", ".join(p.strip() for p in parts if p and p.strip())


class Evidence(_Schema):
    component: str = Field(
        description="sao, pao, building_name, street, organisation, locality, town or postcode."
    )
    status: EvidenceStatus
    similarity: float
    query: str | None
    candidate: str | None


class MatchCandidate(_Schema):
    uprn: int
    label: str
    dataset: Dataset
    score: float
    match_reason: str
    blockers: list[str] = Field(description="Why this candidate may not be used automatically.")
    evidence: list[Evidence]


class ParsedQuery(_Schema):
    normalised: str
    sao: str | None
    pao_number: str | None
    pao_text: str | None
    street: str | None
    postcode: str | None


class MatchResponse(_Schema):
    status: MatchStatus = Field(
        description="matched: safe to use automatically; review: a person should decide; "
        "unmatched: nothing came close."
    )
    uprn: int | None = Field(description="Set only when the status is matched.")
    score: float
    margin: float = Field(description="Score lead of the best UPRN over the next one.")
    match_reason: str | None
    blockers: list[str]
    parsed: ParsedQuery
    candidates: list[MatchCandidate]

    @classmethod
    def from_result(cls, result: matching.MatchResult) -> MatchResponse:
        parsed = result.query
        return cls(
            status=result.status,
            uprn=result.uprn,
            score=result.score,
            margin=result.margin,
            match_reason=result.match_reason,
            blockers=list(result.blockers),
            parsed=ParsedQuery(
                normalised=parsed.normalised,
                sao=" ".join(filter(None, [parsed.sao_text, parsed.sao.range_text()])) or None,
                pao_number=parsed.pao.range_text() or None,
                pao_text=parsed.pao_text,
                street=parsed.street,
                postcode=parsed.postcode,
            ),
            candidates=[_candidate(c) for c in result.candidates],
        )


def _candidate(scored: matching.ScoredCandidate) -> MatchCandidate:
    return MatchCandidate(
        uprn=scored.candidate.uprn,
        label=scored.candidate.label,
        dataset=scored.candidate.source,
        score=scored.score,
        match_reason=scored.match_reason,
        blockers=list(scored.blockers),
        evidence=[
            Evidence(
                component=e.component,
                status=e.status,
                similarity=e.similarity,
                query=e.query,
                candidate=e.candidate,
            )
            for e in scored.evidence
        ],
    )


class PlacedAddress(_Schema):
    address: AddressSummary
    x: float = Field(description="Easting (27700) or longitude (4326).")
    y: float = Field(description="Northing (27700) or latitude (4326).")
    srs: int
    distance: float | None = Field(default=None, description="Metres from the point asked.")

    @classmethod
    def from_placed(cls, placed: spatial.PlacedAddress) -> PlacedAddress:
        return cls(
            address=AddressSummary.from_summary(placed.address),
            x=placed.x,
            y=placed.y,
            srs=placed.srid,
            distance=placed.distance,
        )


class PlacedList(_Schema):
    count: int
    addresses: list[PlacedAddress]


class PolygonQuery(_Schema):
    geometry: dict[str, Any] = Field(description="A GeoJSON Polygon or MultiPolygon.")
    srs: Literal[27700, 4326] = 27700
    limit: int = Field(default=100, ge=1, le=spatial.MAX_RESULTS)


class Area(_Schema):
    type: str
    code: str
    name: str


class AreaList(_Schema):
    uprn: int
    areas: list[Area]


class StreetName(_Schema):
    language: str
    description: str
    locality: str | None
    town: str | None
    administrative_area: str | None


class StreetWithAddresses(_Schema):
    usrn: int
    names: list[StreetName]
    addresses: list[AddressSummary]

    @classmethod
    def from_street(cls, street: find.StreetAddresses) -> StreetWithAddresses:
        names = [
            StreetName(
                language=d.language,
                description=d.description,
                locality=d.locality,
                town=d.town_name,
                administrative_area=d.administrative_area,
            )
            for d in street.descriptors
        ]
        addresses = [AddressSummary.from_summary(a) for a in street.addresses]
        return cls(usrn=street.usrn, names=names, addresses=addresses)
