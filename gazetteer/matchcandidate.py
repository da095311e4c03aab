"""Gazetteer addresses made into candidates for the matcher (pure).

A stored PAO or SAO read with the number its text may hold, and a candidate with every text in
canonical words, worked out once when the candidate is made so that
:func:`gazetteer.matching.score_candidate` compares like with like.
"""

from __future__ import annotations

from gazetteer import addressparse
from gazetteer.addresstokens import AonParts
from gazetteer.matchevidence import label_key
from gazetteer.matching import CandidateAddress


def canonical(text: str | None) -> str | None:
    """A gazetteer text in canonical words (``ST. MARY'S RD`` -> ``SAINT MARYS ROAD``)."""
    if not text:
        return None
    return addressparse.normalise_text(text) or None


def aon_from_fields(
    *,
    start: int | None,
    start_suffix: str | None,
    end: int | None,
    end_suffix: str | None,
    text: str | None,
) -> AonParts:
    """A stored PAO/SAO; a number in the text (``FLAT 2``, ``98A``) counts when fields lack one."""
    from_text = addressparse.parse_aon_text(text)
    if not start:
        return from_text
    return AonParts(
        number=start,
        suffix=start_suffix.upper() if start_suffix else None,
        end_number=end or None,
        end_suffix=end_suffix.upper() if end and end_suffix else None,
        text=from_text.text if not from_text.has_number else canonical(text),
        kind=from_text.kind,
    )


def make_candidate(
    *,
    uprn: int,
    source: str,
    label: str,
    sao: AonParts,
    pao: AonParts,
    organisation: str | None = None,
    street: str | None = None,
    locality: str | None = None,
    town: str | None = None,
    post_town: str | None = None,
    postcode: str | None = None,
) -> CandidateAddress:
    """A candidate with every text made canonical once, so scoring compares like with like."""
    return CandidateAddress(
        uprn=uprn,
        source=source,
        label=label,
        sao=sao,
        pao=pao.with_text(canonical(pao.text)),
        organisation=canonical(organisation),
        street=canonical(street),
        locality=canonical(locality),
        town=canonical(town),
        post_town=canonical(post_town),
        postcode=postcode,
        label_key=label_key(addressparse.parse(label)),
    )
