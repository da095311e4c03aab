"""The rule registry: every §4.1 rule id with its severity per profile and a short description.

Rows 1–13 and 138–142 are file- and supply-level rules that the loaders check; they are listed
here so reports can name them. ``owner`` says who checks a rule: ``loader``, ``validator`` or
``none`` (the rule needs records the domain model does not carry yet; see ``NOT_CHECKED``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from gazetteer.validation.findings import Profile, Severity

E: Final = Severity.ERROR
W: Final = Severity.WARNING

Owner = Literal["loader", "validator", "none"]


@dataclass(frozen=True, kw_only=True, slots=True)
class Rule:
    rule_id: str
    number: int
    ingest: Severity | None
    edit: Severity | None
    description: str
    owner: Owner = "validator"

    def severity(self, profile: Profile) -> Severity | None:
        """The severity in ``profile``; ``None`` where the rule does not apply (``–`` in §4.1)."""
        return self.ingest if profile is Profile.INGEST else self.edit


# Why a listed rule is not checked by the validator.
NOT_CHECKED: Final[Mapping[str, str]] = MappingProxyType(
    {
        "ID-ESUID": "the domain model has no ESU record yet",
        "ESU-FIELDS": "the domain model has no ESU record yet",
        "ESU-LINKS": "the domain model has no ESU or street-ESU link record yet",
    }
)

_LOADER_RULES: Final = frozenset(
    {
        "FILE-ENCODING", "FILE-RECORD-ID-KNOWN", "FILE-FIELD-COUNT", "FILE-HEADER-FIRST",
        "FILE-TRAILER-LAST", "FILE-TRAILER-COUNT", "FILE-VOLUME-CHAIN", "FILE-VERSION-SUPPORTED",
        "FILE-FULL-INSERT-ONLY", "FILE-CHANGE-TYPE", "FILE-PRO-ORDER", "FILE-KEY-ONCE",
        "FILE-DATE-FORMAT", "FILE-LAYOUT-SUSPECT", "COU-INSERT-EXISTS", "COU-UPDATE-MISSING",
        "COU-DELETE-MISSING", "COU-STALE",
    }
)  # fmt: skip

_TABLE: Final[tuple[tuple[int, str, Severity | None, Severity | None, str], ...]] = (
    (1, "FILE-ENCODING", E, E, "The file decodes as UTF-8 (BOM stripped); DTF may fall back."),
    (2, "FILE-RECORD-ID-KNOWN", W, E, "Field 0 is a known record id; unknown rows are skipped."),
    (3, "FILE-FIELD-COUNT", E, E, "The field count matches the layout (DTF extras: W)."),
    (4, "FILE-HEADER-FIRST", E, E, "A mixed file starts with record 10."),
    (5, "FILE-TRAILER-LAST", E, E, "A mixed file ends with record 99."),
    (6, "FILE-TRAILER-COUNT", E, E, "RECORD_COUNT equals the data rows of the volume."),
    (7, "FILE-VOLUME-CHAIN", E, E, "Volumes run 1..n and share PROCESS_DATE, VERSION, FILE_TYPE."),
    (8, "FILE-VERSION-SUPPORTED", E, E, "The header VERSION is ABP 1.0 or 2.x, or DTF 7.3."),
    (9, "FILE-FULL-INSERT-ONLY", E, E, "In a full supply every CHANGE_TYPE is I."),
    (10, "FILE-CHANGE-TYPE", E, E, "CHANGE_TYPE is I, U or D."),
    (11, "FILE-PRO-ORDER", W, E, "PRO_ORDER is an integer, unique, increasing within a file."),
    (12, "FILE-KEY-ONCE", E, E, "A key occurs once in a full supply (E); in a COU last wins (W)."),
    (13, "FILE-DATE-FORMAT", E, E, "Dates are CCYY-MM-DD; times HH:MM:SS or HHMMSS."),
    (14, "ID-UPRN", E, E, "UPRN, PARENT_UPRN and SUCCESSOR are in 1..999 999 999 999."),
    (15, "ID-USRN", E, E, "USRN is in 1..99 999 999."),
    (16, "ID-KEY-FORMAT", W, E, "Keys match ^\\d{4}[LXCOS]\\d{9}$ (length is always E)."),
    (17, "ID-UDPRN", E, E, "UDPRN is in 1..99 999 999."),
    (18, "ID-ESUID", E, E, "ESUID has exactly 14 digits."),
    (19, "BLPU-STATUS-CODE", E, E, "BLPU LOGICAL_STATUS is in {1,5,6,7,8,9} (OSG {1,6,8,9})."),
    (20, "BLPU-STATE-CODE", E, E, "BLPU_STATE is blank or in 1..7 (OSG also 0)."),
    (21, "BLPU-STATE-VS-STATUS", W, E, "The state is permitted for the status (table A)."),
    (22, "BLPU-STATE-DATE-PAIR", W, E, "BLPU_STATE and BLPU_STATE_DATE go together."),
    (23, "BLPU-END-IFF-CLOSED", W, E, "END_DATE is present iff the status is 7, 8 or 9."),
    (24, "BLPU-ENDED-STATE", W, W, "An ended BLPU with a state has state 4 (table A wins)."),
    (25, "BLPU-HAS-LPI", W, E, "A BLPU has at least one LPI."),
    (26, "BLPU-LPI-STATUS-ALLOWED", W, E, "Every LPI status is permitted for the BLPU (table B)."),
    (27, "BLPU-LPI-STATUS-MATCH", W, E, "The BLPU has an LPI whose status equals its own."),
    (28, "BLPU-RPC-CODE", E, E, "RPC is in {1,2,3,4,5,9}; DTF also 6 (alias of 9)."),
    (29, "BLPU-RPC-DEPRECATED", W, E, "A new or changed record does not carry RPC 3, 5 or 9."),
    (30, "BLPU-CUSTODIAN", E, E, "LOCAL_CUSTODIAN_CODE is in 1..9999."),
    (31, "BLPU-COUNTRY-CODE", E, E, "COUNTRY (v2) is in {E,W,S,N,L,M,J}."),
    (32, "BLPU-POSTCODE-LOCATOR", W, E, "POSTCODE_LOCATOR matches the postcode pattern."),
    (33, "BLPU-MULTI-OCC", W, W, "MULTI_OCC_COUNT >= 0 and, in a full supply, counts children."),
    (34, "BLPU-NEAR-STREET", W, W, "The BLPU lies within 5 km of its LPIs' street end points."),
    (35, "BLPU-STREET-RECORD-POINT", W, W, "A street BLPU sits on its street's start or end."),
    (36, "BLPU-PROVENANCE", None, W, "A BLPU has a provenance when the supply carries 22."),
    (37, "LPI-STATUS-CODE", E, E, "LPI LOGICAL_STATUS is in {1,3,5,6,7,8,9}."),
    (38, "LPI-END-IFF-CLOSED", W, E, "END_DATE is present iff the status is 7, 8 or 9."),
    (39, "LPI-PAO-REQUIRED", E, E, "PAO_START_NUMBER or PAO_TEXT is present."),
    (40, "LPI-SAO-NEEDS-PAO", E, E, "Any SAO field is present only with a PAO."),
    (41, "LPI-NUM-RANGE", E, E, "Every number is in 1..9999; 0 is absent (W)."),
    (42, "LPI-END-NEEDS-START", E, E, "An END_NUMBER requires its START_NUMBER."),
    (43, "LPI-END-GT-START", W, W, "The end number is greater than the start (W in both)."),
    (44, "LPI-SUFFIX-NEEDS-NUMBER", E, E, "A suffix requires its matching number."),
    (45, "LPI-SUFFIX-CHARSET", E, E, "Suffixes hold only A-Z."),
    (46, "LPI-SUFFIX-LENGTH", W, E, "A suffix has length 1, or 2 for a Welsh authority."),
    (47, "LPI-TEXT-LENGTH", W, E, "PAO/SAO text <= 90, LEVEL <= 30, AREA_NAME <= 40 (DTF more)."),
    (48, "LPI-TEXT-NOT-NUMBER", W, E, "PAO_TEXT and SAO_TEXT are not digits only."),
    (49, "LPI-PAO-SAO-DIFFER", W, E, "PAO_TEXT differs from SAO_TEXT (ignoring case)."),
    (50, "LPI-ORG-NOT-IN-TEXT", W, W, "The organisation name is not repeated in PAO/SAO text."),
    (51, "LPI-USRN-EXISTS", E, E, "A street exists for LPI.USRN."),
    (52, "LPI-BLPU-EXISTS", E, E, "The LPI's BLPU exists."),
    (53, "LPI-ONE-APPROVED", W, E, "At most one status-1 LPI per (UPRN, LANGUAGE)."),
    (54, "LPI-DUP-ADDRESS", W, E, "No two open LPIs share the whole address."),
    (55, "LPI-SAO-NEEDS-PARENT", W, E, "An approved or provisional LPI with a SAO has a parent."),
    (56, "LPI-APPROVED-STREET-TYPE", W, E, "An approved LPI is not on a type 3 or 4 street."),
    (57, "LPI-OPEN-ON-CLOSED-BLPU", W, E, "An open LPI does not belong to a closed BLPU."),
    (58, "LPI-OPEN-ON-CLOSED-STREET", W, E, "No open LPI or BLPU sits on a closed street."),
    (59, "LPI-STREET-RECORD-SHAPE", W, E, "A STREET RECORD LPI has no numbers or SAO, class PS."),
    (60, "LPI-STREET-RECORD-UNIQUE", W, E, "One open STREET RECORD LPI per (USRN, LANGUAGE)."),
    (61, "LPI-STREET-RECORD-STATUS", W, E, "On an open street a street BLPU has status 1 or 6."),
    (62, "LPI-LANGUAGE-CODE", E, E, "LANGUAGE is ENG, CYM or GAE (COR, GLE, ULL: W)."),
    (63, "LPI-WELSH-PAIR", W, E, "For a Welsh authority, open ENG and CYM LPIs come in pairs."),
    (64, "LPI-GAELIC-PAIR", W, E, "An open GAE LPI has an ENG LPI."),
    (65, "LPI-DESCRIPTOR-LANGUAGE", W, E, "A descriptor exists for (LPI.USRN, LPI.LANGUAGE)."),
    (66, "LPI-OFFICIAL-FLAG", E, E, "OFFICIAL_FLAG is blank or in {Y,N,C,R}."),
    (67, "LPI-MATCH-INDICATOR", E, E, "For ABP, USRN_MATCH_INDICATOR is 1 or 2."),
    (68, "POST-FLAG-CODE", E, E, "The DTF POSTAL_ADDRESS is in {Y,N,P,A,L} (OSG {Y,N,L})."),
    (69, "POST-FLAG-N-EMPTY", W, E, "POSTAL_ADDRESS N means no POSTCODE and no POST_TOWN."),
    (70, "POST-FLAG-NEEDS-BOTH", W, E, "POSTAL_ADDRESS Y, A, L, P mean POSTCODE and POST_TOWN."),
    (71, "POST-POSTCODE-PATTERN", W, E, "Every postcode field matches the §7 pattern."),
    (72, "POST-ABP-CODE", E, E, "ADDRESSBASE_POSTAL is in {D,N,C,L} (v1 {S,C,M,N})."),
    (73, "POST-ABP-D-HAS-DPA", W, W, "Code D holds iff a DPA with this UPRN exists."),
    (74, "POST-ABP-C-HAS-PARENT", W, W, "Code C means PARENT_UPRN is set."),
    (75, "DPA-PREMISE-REQUIRED", W, E, "An organisation, building name/number or PO box exists."),
    (76, "DPA-DEPT-NEEDS-ORG", W, E, "DEPARTMENT_NAME requires ORGANISATION_NAME."),
    (77, "DPA-SUB-NEEDS-BUILDING", W, E, "SUB_BUILDING_NAME requires a building name or number."),
    (78, "DPA-DEPTHF-NEEDS-THF", W, E, "DEPENDENT_THOROUGHFARE requires THOROUGHFARE."),
    (79, "DPA-DDL-NEEDS-DL", W, E, "DOUBLE_DEPENDENT_LOCALITY requires DEPENDENT_LOCALITY."),
    (80, "DPA-MANDATORY", E, E, "POST_TOWN, POSTCODE, POSTCODE_TYPE (v2: and DPS) present."),
    (81, "DPA-POBOX-LARGE-USER", W, E, "PO_BOX_NUMBER means POSTCODE_TYPE L."),
    (82, "DPA-LENGTHS", W, E, "Widths follow §3.4; BUILDING_NUMBER is in 1..9999."),
    (83, "DPA-DPS-FORMAT", W, W, "DELIVERY_POINT_SUFFIX is a digit then a letter."),
    (84, "DPA-UPRN-EXISTS", E, E, "The DPA's UPRN has a BLPU."),
    (85, "CLS-CODE", W, E, "The code has the §1.4 shape (else E) and is in the scheme."),
    (86, "CLS-REQUIRED", W, E, "Every open BLPU has an open classification."),
    (87, "CLS-ONE-OPEN", W, E, "At most one open classification per BLPU per scheme."),
    (88, "CLS-PS-STREET-RECORD", W, E, "Class PS holds iff the BLPU has a STREET RECORD LPI."),
    (89, "CLS-CLOSED-BLPU", W, E, "A closed BLPU has no open classification."),
    (90, "CLS-NOT-U-IF-POSTAL", W, E, "A postal BLPU is not classified U, UC or UP."),
    (91, "CLS-U-AGE", W, W, "An approved BLPU older than a year is not classified U*."),
    (92, "CLS-CONTRADICTORY", W, E, "Open classes do not combine L+R, U+R or U+C."),
    (93, "ORG-TEXT", W, E, "ORGANISATION present, <= 100, no leading space; LEGAL_NAME <= 60."),
    (94, "ORG-DUP-OPEN", W, E, "No two open organisations on one BLPU share a name."),
    (95, "ORG-END-WITH-BLPU", W, E, "A BLPU END_DATE means the organisation is ended."),
    (96, "XRF-FIELDS", E, E, "CROSS_REFERENCE (<= 50; DTF <= 20) and SOURCE (<= 6) present."),
    (97, "XRF-DUP", W, E, "(UPRN, SOURCE, CROSS_REFERENCE) is unique."),
    (98, "XRF-NO-REPARENT", W, E, "An update to a cross reference does not change its UPRN."),
    (99, "XRF-BLPU-EXISTS", E, E, "The UPRN of a 23, 30, 31 or 32 record has a BLPU."),
    (100, "SUC-TARGET", W, E, "SUCCESSOR differs from UPRN and its BLPU exists."),
    (101, "PRV-CODE", E, E, "PROVENANCE_CODE is in {T,L,F,R,P,O,U}."),
    (102, "STR-CODES", E, E, "Street codes are blank or in §2.6."),
    (103, "STR-STATE-DATE-NEEDS-STATE", W, E, "A STATE_DATE requires STATE."),
    (104, "STR-CLOSED-NEEDS-END", W, E, "STATE 4 requires STREET_END_DATE."),
    (105, "STR-ENTRY-MIN", W, W, "RECORD_ENTRY_DATE is on or after 1990-01-01."),
    (106, "SD-TOWN-REQUIRED", W, E, "TOWN_NAME for street types 1 and 2 and with a LOCALITY."),
    (107, "SD-ADMIN-REQUIRED", W, E, "ADMINISTRATIVE_AREA is present."),
    (108, "SD-LENGTHS", W, E, "Description <= 100, locality <= 35, town and area <= 30."),
    (109, "SD-LOCALITY-DISAMBIGUATES", W, W, "A repeated (description, town) has a LOCALITY."),
    (110, "SD-TYPE3-PREFIX", W, W, "A type-3 descriptor starts A, B, C, LCR, M, NCR or Y."),
    (111, "SD-STREET-EXISTS", E, E, "Every descriptor has a street with its USRN."),
    (112, "ESU-FIELDS", E, E, "NUM_COORD_COUNT, ESU_TOLERANCE and ESU_DIRECTION are valid."),
    (113, "ESU-LINKS", W, E, "ESUs link to type 1/2 streets; type 3/4 streets have ESUs."),
    (114, "PAR-NOT-SELF", E, E, "PARENT_UPRN differs from UPRN."),
    (115, "PAR-EXISTS", W, E, "The parent BLPU exists."),
    (116, "PAR-NO-CYCLE", E, E, "The parent chain has no cycle."),
    (117, "PAR-MAX-DEPTH", W, E, "At most 4 levels, counting the root as level 1."),
    (118, "PAR-NOT-STREET-RECORD", W, E, "A parent is not a street BLPU."),
    (119, "PAR-STREET-NO-CHILDREN", W, E, "A street BLPU has no children."),
    (120, "PAR-STATUS-COMPAT", W, W, "An open child does not have a closed parent."),
    (121, "DATE-MIN", W, E, "No date is before 1753-01-01."),
    (122, "DATE-NOT-FUTURE", W, E, "Start, end, state and last-update dates are not after as-of."),
    (123, "DATE-END-AFTER-START", W, E, "END_DATE >= START_DATE."),
    (124, "DATE-LAST-UPDATE", W, E, "LAST_UPDATE_DATE >= ENTRY_DATE and >= START_DATE."),
    (125, "COORD-REQUIRED", W, E, "X and Y are present (not for COUNTRY L); (0, 0) is missing."),
    (126, "COORD-BOX-EW", W, E, "England and Wales: 80 000..656 100 by 5 000..657 700."),
    (127, "COORD-BOX-SCOT", W, E, "Scotland: 1..660 000 by 1..1 300 000."),
    (128, "COORD-BOX-OTHER", W, W, "N, M, J or unknown country: 0..700 000 by 0..1 300 000."),
    (129, "COORD-LATLON", W, E, "Latitude in 49..61 and longitude in -9..2."),
    (130, "COORD-XSD", None, E, "For govtalk export, whole-metre coordinates are in 0..9 999 999."),
    (131, "TXT-CHARSET", W, E, "All text encodes in ISO-8859-14."),
    (132, "TXT-SPACING", W, E, "No leading, trailing or double space."),
    (133, "TXT-PUNCTUATION", W, E, "No punctuation mark twice in a row; brackets balance."),
    (134, "TXT-GOVTALK-AON", None, W, "PAO/SAO text fits the govtalk character set."),
    (135, "LIFE-REJECTED-TERMINAL", E, E, "A live status 7 or 9 never changes."),
    (136, "LIFE-HISTORIC-FROZEN", W, E, "A live historical LPI keeps its address fields."),
    (137, "LIFE-HISTORIC-POSTCODE", W, E, "Moving an LPI to 8 does not change its postcode."),
    (138, "FILE-LAYOUT-SUSPECT", E, E, "The chosen layout is plausible for the supply."),
    (139, "COU-INSERT-EXISTS", E, E, "An I arrives for a key that is already live."),
    (140, "COU-UPDATE-MISSING", W, W, "A U arrives for a key that is not live (inserted)."),
    (141, "COU-DELETE-MISSING", W, W, "A D arrives for a key that is not live (ignored)."),
    (142, "COU-STALE", E, E, "PROCESS_DATE is after that of the last applied supply."),
)


def _owner(rule_id: str) -> Owner:
    if rule_id in _LOADER_RULES:
        return "loader"
    return "none" if rule_id in NOT_CHECKED else "validator"


RULES: Final[Mapping[str, Rule]] = MappingProxyType(
    {
        rule_id: Rule(
            rule_id=rule_id,
            number=number,
            ingest=ingest,
            edit=edit,
            description=description,
            owner=_owner(rule_id),
        )
        for number, rule_id, ingest, edit, description in _TABLE
    }
)


def severity(rule_id: str, profile: Profile) -> Severity | None:
    """The severity of ``rule_id`` in ``profile`` (a ``KeyError`` names an unknown id)."""
    return RULES[rule_id].severity(profile)
