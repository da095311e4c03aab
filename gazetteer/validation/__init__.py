"""Pure validation of gazetteer records against the §4 checklist of gazetteer-standards.

- :func:`validate_record` runs the record-level rules on one record;
- :func:`validate_records` adds the cross-record rules over a batch laid over the live gazetteer
  (``Context.lookups``), including the lifecycle rules against each record's live pre-image;
- :func:`validate_change` runs the lifecycle rules on an explicit pre-image;
- :data:`RULES` lists every rule id with its severity per profile, for reports.
"""

from __future__ import annotations

from gazetteer.validation.context import Context, Lookups, index, overlay
from gazetteer.validation.findings import Finding, Format, Profile, Record, Severity
from gazetteer.validation.rules import NOT_CHECKED, RULES, Rule
from gazetteer.validation.validator import validate_change, validate_record, validate_records

__all__ = [
    "NOT_CHECKED",
    "RULES",
    "Context",
    "Finding",
    "Format",
    "Lookups",
    "Profile",
    "Record",
    "Rule",
    "Severity",
    "index",
    "overlay",
    "validate_change",
    "validate_record",
    "validate_records",
]
