"""Gazetteer errors: branches of the one tree in :mod:`core.errors`."""

from __future__ import annotations

from core.errors import Conflict, InvalidIdentifier, NotFound


class InvalidUprn(InvalidIdentifier):
    code = "invalid_uprn"
    title = "Invalid UPRN"


class InvalidUsrn(InvalidIdentifier):
    code = "invalid_usrn"
    title = "Invalid USRN"


class InvalidPostcode(InvalidIdentifier):
    code = "invalid_postcode"
    title = "Invalid postcode"


class InvalidRecordKey(InvalidIdentifier):
    code = "invalid_record_key"
    title = "Invalid record key"


class AddressNotFound(NotFound):
    code = "address_not_found"
    title = "Address not found"


class StreetNotFound(NotFound):
    code = "street_not_found"
    title = "Street not found"


class MatchReviewNotFound(NotFound):
    code = "match_review_not_found"
    title = "Match review not found"


class MatchReviewDecided(Conflict):
    code = "match_review_decided"
    title = "Match review already decided"


class MatchJobNotFound(NotFound):
    code = "match_job_not_found"
    title = "Match job not found"
