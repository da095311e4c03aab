"""The lookup route's JSON is byte for byte what the Address response model gives."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.routers import addresses as route
from api.schemas import addresses as schemas
from gazetteer import documents

_TEXT = st.text(max_size=12)
_NUMBER = st.floats(allow_nan=False, allow_infinity=False, width=64)
_CODE = st.builds(documents.Code, code=_TEXT, name=st.none() | _TEXT)
_INTS = st.integers(min_value=0, max_value=999_999_999_999)


def _optional(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


DOCUMENTS = st.builds(
    documents.AddressDocument,
    uprn=st.integers(min_value=1, max_value=999_999_999_999),
    status=_CODE,
    state=_optional(_CODE),
    parent_uprn=_optional(st.integers(min_value=1, max_value=999_999_999_999)),
    children=st.lists(_INTS, max_size=3).map(tuple),
    coordinates=st.builds(
        documents.Coordinates,
        x=_optional(_NUMBER),
        y=_optional(_NUMBER),
        latitude=_optional(_NUMBER),
        longitude=_optional(_NUMBER),
    ),
    rpc=_optional(_TEXT),
    local_custodian_code=_optional(st.integers(min_value=0, max_value=9999)),
    classification=_optional(st.builds(documents.Classification, code=_TEXT)),
    street=_optional(st.builds(documents.Street, usrn=st.integers(1, 99_999_999))),
    lpis=st.lists(
        st.builds(documents.LpiSummary, usrn=st.integers(1, 99_999_999), status=_CODE), max_size=3
    ).map(tuple),
    labels=st.builds(documents.Labels, lines=st.lists(_TEXT, max_size=5).map(tuple)),
    cross_references=st.lists(st.builds(documents.CrossReference), max_size=2).map(tuple),
    delivery_point=_optional(st.builds(documents.DeliveryPoint, udprn=_INTS)),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENTS)
def test_the_body_equals_the_response_models_json(document: documents.AddressDocument) -> None:
    expected = schemas.Address.from_document(document).model_dump_json().encode()
    assert route.document_json(document) == expected


def test_whole_numbers_of_metres_are_still_floats() -> None:
    document = documents.AddressDocument(
        uprn=1,
        status=documents.Code(code="1"),
        coordinates=documents.Coordinates(x=292000.0, y=92500.0),
        labels=documents.Labels(single_line="", lines=()),
    )
    assert b'"x":292000.0,"y":92500.0' in route.document_json(document)
