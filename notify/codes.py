"""Code lists of the sharing model (sharing-and-delivery §1–§2), as the specification spells them.

Event kinds are stored without the deployment's namespace (``change_of_address.submitted``);
the namespace is added when the CloudEvents envelope is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

LawfulBasis = Literal[
    "public_task", "legal_obligation", "consent", "contract", "vital_interests",
    "legitimate_interests",
]  # fmt: skip
DataCategory = Literal["non-sensitive", "standard", "sensitive", "special-category"]
Assurance = Literal["none", "approaching", "met", "exceeded"]
IdentityAssurance = Literal["none", "low", "medium", "high", "very_high"]
PartnerKind = Literal["council", "police", "fire", "health", "other_public", "private"]
PartnerStatus = Literal["active", "suspended", "offboarded"]
AgreementStatus = Literal["draft", "active", "suspended", "expired", "terminated"]
RuleStatus = Literal["draft", "active", "retired"]
RuleDecision = Literal["permit", "deny"]
TriggerRole = Literal["leaving", "joining", "within", "anywhere"]
Role = Literal["leaving", "joining", "within", "none", "ambiguous", "pending"]
SourceChannel = Literal["citizen_web", "agent", "partner_api"]
SubmitterKind = Literal["citizen", "agent", "partner"]
ChoiceMode = Literal["citizen_opt_in", "automatic_with_notice"]
RelationshipRequirement = Literal[
    "none", "holds_subject", "holds_subject_at_old_uprn", "declared_reference_ok"
]
RelationshipKind = Literal["holds_subject", "holds_subject_at_uprn", "holds_uprn"]
ConsentStatus = Literal["given", "withdrawn", "expired", "superseded", "entered_in_error"]
MoveStatus = Literal[
    "draft", "submitted", "scheduled", "releasing", "completed", "withdrawn", "superseded"
]
MoveDateKind = Literal["actual", "planned"]
Language = Literal["en", "cy"]
DeliveryChannel = Literal["webhook", "pull", "file_drop", "manual_portal"]
EndpointStatus = Literal["pending_validation", "active", "paused", "disabled"]
Authority = Literal["permission_obtained", "power_of_attorney", "parental_responsibility"]

LAWFUL_BASES: Final = frozenset(
    {"public_task", "legal_obligation", "consent", "contract", "vital_interests",
     "legitimate_interests"}
)  # fmt: skip
STATUTORY_BASES: Final = frozenset({"public_task", "legal_obligation"})
CATEGORY_RANK: Final[Mapping[str, int]] = {
    "non-sensitive": 0, "standard": 1, "sensitive": 2, "special-category": 3,
}  # fmt: skip
ASSURANCE_RANK: Final[Mapping[str, int]] = {"none": 0, "approaching": 1, "met": 2, "exceeded": 3}
SERVICE_CODES: Final = frozenset(
    {"COUNCIL_TAX", "ELECTORAL_REG", "LIBRARIES", "ADULT_SOCIAL_CARE", "HOUSING", "BLUE_BADGE",
     "WASTE", "POLICE", "HEALTH", "OTHER"}
)  # fmt: skip
CARE_SERVICE_CODES: Final = frozenset({"HEALTH", "ADULT_SOCIAL_CARE"})
CHANNEL_OF_SUBMITTER: Final[Mapping[str, SourceChannel]] = {
    "citizen": "citizen_web", "agent": "agent", "partner": "partner_api",
}  # fmt: skip

SUBMITTED: Final = "change_of_address.submitted"
CORRECTED: Final = "change_of_address.corrected"
WITHDRAWN: Final = "change_of_address.withdrawn"
CONSENT_WITHDRAWN: Final = "consent.withdrawn"
ERASED: Final = "personal_data.erased"
GAZ_CREATED: Final = "gazetteer.address.created"
GAZ_CHANGED: Final = "gazetteer.address.changed"
GAZ_RETIRED: Final = "gazetteer.address.retired"
GAZ_DELETED: Final = "gazetteer.address.deleted"
ENDPOINT_TEST: Final = "endpoint.test"
EVENT_KINDS: Final = frozenset(
    {SUBMITTED, CORRECTED, WITHDRAWN, CONSENT_WITHDRAWN, ERASED, GAZ_CREATED, GAZ_CHANGED,
     GAZ_RETIRED, GAZ_DELETED, ENDPOINT_TEST}
)  # fmt: skip

# Reason codes of the decision procedure (§3.5), by effect.
REFUSALS: Final = frozenset(
    {"SUBJECT_ERASED", "SUBMISSION_WITHDRAWN", "SUBMISSION_SUPERSEDED", "PARTNER_SUSPENDED",
     "ASSURANCE_TOO_LOW", "SOURCE_ECHO", "OUT_OF_AREA", "NO_MATCHING_RULE", "DENIED_BY_RULE",
     "DSA_NOT_ACTIVE", "SOURCE_RESTRICTED", "NOT_SELECTED_BY_CITIZEN", "NO_EXISTING_RELATIONSHIP",
     "CONSENT_MISSING", "CONSENT_WITHDRAWN", "CONSENT_EXPIRED", "MOVE_DATE_OUTSIDE_RULE_WINDOW",
     "NO_PERMITTED_FIELDS", "REQUIRED_FIELD_MISSING", "CATEGORY_EXCEEDS_RULE",
     "CLASSIFICATION_NOT_HONOURED", "RULE_INACTIVE", "EXPIRED"}
)  # fmt: skip
HOLDS: Final = frozenset(
    {"AMBIGUOUS_AREA", "NEW_UPRN_PENDING", "DSA_SUSPENDED", "DSA_REVIEW_OVERDUE",
     "ENDPOINT_DISABLED", "MOVE_BLOCKED", "REPEATED_MOVE", "CONFLICTING_MOVE"}
)  # fmt: skip
