"""Code lists and status tables the rules compare against (gazetteer-standards §2, §4.2)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

BLPU_STATUSES: Final = frozenset({"1", "5", "6", "7", "8", "9"})
BLPU_STATUSES_OSG: Final = frozenset({"1", "6", "8", "9"})
LPI_STATUSES: Final = frozenset({"1", "3", "5", "6", "7", "8", "9"})
CLOSED_STATUSES: Final = frozenset({"7", "8", "9"})
TERMINAL_STATUSES: Final = frozenset({"7", "9"})
BLPU_STATES: Final = frozenset({"1", "2", "3", "4", "5", "6", "7"})
BLPU_STATES_OSG: Final = BLPU_STATES | {"0"}

# Table A: the BLPU_STATE each BLPU status permits; ``None`` stands for a blank state.
State = str | None
TABLE_A: Final[Mapping[str, frozenset[State]]] = MappingProxyType(
    {
        "1": frozenset({None, "1", "2", "3"}),
        "5": frozenset({"1", "2", "3", "4", "6"}),
        "6": frozenset({"1", "5", "6", "7"}),
        "7": frozenset({None, "1", "2", "3", "4", "6"}),
        "8": frozenset({None, "4", "7"}),
        "9": frozenset({None, "1", "2", "3", "4", "5", "6", "7"}),
    }
)
# The OSG column where it is stated; a blank state stays allowed where table A requires none.
TABLE_A_OSG: Final[Mapping[str, frozenset[State]]] = MappingProxyType(
    {
        "1": frozenset({None, "0", "1", "2", "3"}),
        "8": frozenset({None, "4"}),
        "9": frozenset({None, "0", "1", "2", "3", "4"}),
    }
)
# Table B: the LPI statuses each BLPU status permits.
TABLE_B: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "1": frozenset({"1", "3", "5", "6", "7", "8", "9"}),
        "5": frozenset({"5"}),
        "6": frozenset({"6", "7", "8", "9"}),
        "7": frozenset({"7", "9"}),
        "8": frozenset({"7", "8", "9"}),
        "9": frozenset({"9"}),
    }
)
# BLPU-ENDED-STATE yields to table A where table A permits an ended BLPU a state other than 4
# [UNVERIFIED precedence, §4.1 row 24]: statuses 7 and 9, and state 7 under status 8.
ENDED_STATE_YIELDS: Final = frozenset({("7", s) for s in BLPU_STATES}) | frozenset(
    {("9", s) for s in BLPU_STATES} | {("8", "7")}
)

RPC_CODES: Final = frozenset({"1", "2", "3", "4", "5", "9"})
RPC_CODES_DTF: Final = RPC_CODES | {"6"}  # DTF-era 6 is an alias of 9 [UNVERIFIED]
RPC_DEPRECATED: Final = frozenset({"3", "5", "9", "6"})
COUNTRIES: Final = frozenset({"E", "W", "S", "N", "L", "M", "J"})

LANGUAGES: Final = frozenset({"ENG", "CYM", "GAE"})
LANGUAGES_WARN: Final = frozenset({"COR", "GLE", "ULL"})  # DTF-era codes [UNVERIFIED currency]
OFFICIAL_FLAGS: Final = frozenset({"Y", "N", "C", "R"})
MATCH_INDICATORS: Final = frozenset({"1", "2"})
STREET_RECORD: Final = "STREET RECORD"

POSTAL_FLAGS: Final = frozenset({"Y", "N", "P", "A", "L"})
POSTAL_FLAGS_OSG: Final = frozenset({"Y", "N", "L"})
ABP_POSTAL: Final = frozenset({"D", "N", "C", "L"})
ABP_POSTAL_V1: Final = frozenset({"S", "C", "M", "N"})
POSTCODE_TYPES: Final = frozenset({"S", "L"})

PROVENANCE_CODES: Final = frozenset({"T", "L", "F", "R", "P", "O", "U"})

STREET_RECORD_TYPES: Final = frozenset({"1", "2", "3", "4", "9"})
STREET_STATES: Final = frozenset({"1", "2", "4", "5"})
STREET_SURFACES: Final = frozenset({"1", "2", "3"})
STREET_CLASSIFICATIONS: Final = frozenset({"4", "6", "8", "9", "10"})
TYPE3_PREFIXES: Final = ("LCR", "NCR", "A", "B", "C", "M", "Y")

STREET_CLASS: Final = "PS"
UNCLASSIFIED: Final = frozenset({"U", "UC", "UP"})
