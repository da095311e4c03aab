"""Data-protection errors: branches of the one tree in :mod:`core.errors`.

::

    InvalidInput
    └── InvalidCaseRef           invalid_case_ref        an erasure's case reference is not a code
    NotFound
    ├── PersonNotFound           person_not_found        no data subject has this id
    └── AgreementNotFound        agreement_not_found     no data-sharing agreement has this id
"""

from __future__ import annotations

from core.errors import InvalidInput, NotFound


class InvalidCaseRef(InvalidInput):
    code = "invalid_case_ref"
    title = "Invalid case reference"


class PersonNotFound(NotFound):
    code = "person_not_found"
    title = "Person not found"


class AgreementNotFound(NotFound):
    code = "agreement_not_found"
    title = "Agreement not found"
