"""Word lists the address parser and matcher share (pure data).

Every list maps what people type to one canonical spelling, so that a citizen's ``st marys rd``
and a gazetteer's ``ST. MARY'S ROAD`` normalise to the same tokens. ``ST`` is handled by
position in :mod:`gazetteer.addressparse` (``SAINT`` before a name, ``STREET`` after one).
"""

from __future__ import annotations

from typing import Final

# Street and place words: abbreviation -> canonical full word.
STREET_ABBREVIATIONS: Final[dict[str, str]] = {
    "RD": "ROAD",
    "STR": "STREET",
    "AVE": "AVENUE",
    "AV": "AVENUE",
    "AVEN": "AVENUE",
    "AVNUE": "AVENUE",
    "CL": "CLOSE",
    "CLS": "CLOSE",
    "LN": "LANE",
    "DR": "DRIVE",
    "DRV": "DRIVE",
    "CT": "COURT",
    "CRT": "COURT",
    "CRES": "CRESCENT",
    "CRESC": "CRESCENT",
    "CRS": "CRESCENT",
    "GDNS": "GARDENS",
    "GDN": "GARDENS",
    "GR": "GROVE",
    "GRO": "GROVE",
    "GRV": "GROVE",
    "PL": "PLACE",
    "SQ": "SQUARE",
    "TER": "TERRACE",
    "TERR": "TERRACE",
    "TCE": "TERRACE",
    "WY": "WAY",
    "PK": "PARK",
    "GRN": "GREEN",
    "WLK": "WALK",
    "PDE": "PARADE",
    "EST": "ESTATE",
    "BLVD": "BOULEVARD",
    "HWY": "HIGHWAY",
    "YD": "YARD",
    "COTTS": "COTTAGES",
    "CTGS": "COTTAGES",
    "BLDGS": "BUILDINGS",
    "BLDG": "BUILDING",
    "HSE": "HOUSE",
    "CTR": "CENTRE",
    "MT": "MOUNT",
    "NTH": "NORTH",
    "STH": "SOUTH",
    "UPR": "UPPER",
    "LWR": "LOWER",
    "GT": "GREAT",
    "LTL": "LITTLE",
    "IND": "INDUSTRIAL",
    "ESP": "ESPLANADE",
    "PROM": "PROMENADE",
    "APPR": "APPROACH",
    "QY": "QUAY",
    "FM": "FARM",
    "MWS": "MEWS",
}

# Words that end a street name; used to find where the street stops and the place begins.
STREET_TYPES: Final = frozenset(
    {
        "ROAD",
        "STREET",
        "AVENUE",
        "CLOSE",
        "LANE",
        "DRIVE",
        "COURT",
        "CRESCENT",
        "GARDENS",
        "GROVE",
        "PLACE",
        "SQUARE",
        "TERRACE",
        "WAY",
        "PARK",
        "GREEN",
        "WALK",
        "PARADE",
        "ESTATE",
        "BOULEVARD",
        "HIGHWAY",
        "YARD",
        "HILL",
        "MEWS",
        "ROW",
        "RISE",
        "VIEW",
        "VALE",
        "CHASE",
        "GATE",
        "CIRCUS",
        "QUAY",
        "WHARF",
        "ESPLANADE",
        "PROMENADE",
        "APPROACH",
        "BROADWAY",
        "EMBANKMENT",
        "CAUSEWAY",
        "MEADOW",
        "MEADOWS",
        "FIELDS",
        "CROFT",
        "END",
        "WALKWAY",
        "PASSAGE",
        "ALLEY",
        "BANK",
        "BRIDGE",
        "COTTAGES",
        "BUILDINGS",
    }
)

# Sub-building words: a number or letter after one of these is the SAO. Mapped to a kind;
# kinds that differ (a FLAT and a UNIT with the same number) are different premises.
SAO_KEYWORDS: Final[dict[str, str]] = {
    "FLAT": "FLAT",
    "FLT": "FLAT",
    "FLATS": "FLAT",
    "APARTMENT": "FLAT",
    "APARTMENTS": "FLAT",
    "APT": "FLAT",
    "APPT": "FLAT",
    "APPTS": "FLAT",
    "MAISONETTE": "FLAT",
    "MAISONETTES": "FLAT",
    "STUDIO": "FLAT",
    "BEDSIT": "FLAT",
    "UNIT": "UNIT",
    "UNITS": "UNIT",
    "SUITE": "SUITE",
    "ROOM": "ROOM",
    "RM": "ROOM",
    "PLOT": "PLOT",
    "BERTH": "BERTH",
    "PITCH": "PITCH",
    "BLOCK": "BLOCK",
}

# Canonical spelling of the SAO keywords themselves (and of ``ANNEX``, which lists write for the
# ``ANNEXE`` a gazetteer holds), kept in the normalised text.
SAO_KEYWORD_SPELLING: Final[dict[str, str]] = {
    "FLT": "FLAT",
    "APT": "APARTMENT",
    "APPT": "APARTMENT",
    "APPTS": "APARTMENTS",
    "RM": "ROOM",
    "ANNEX": "ANNEXE",
}

# Words describing a floor or position: a run of these ending in FLOOR or a FLAT word is SAO text.
FLOOR_WORDS: Final = frozenset(
    {
        "GROUND",
        "FIRST",
        "SECOND",
        "THIRD",
        "FOURTH",
        "FIFTH",
        "SIXTH",
        "SEVENTH",
        "EIGHTH",
        "NINTH",
        "TENTH",
        "TOP",
        "BASEMENT",
        "LOWER",
        "UPPER",
        "REAR",
        "FRONT",
        "GARDEN",
        "ATTIC",
        "MIDDLE",
        "FLOOR",
        "FLR",
        "LEFT",
        "RIGHT",
    }
)

# Standalone words that always describe a SAO.
SAO_STANDALONE: Final = frozenset({"BASEMENT", "ANNEXE", "ANNEX", "GARAGE"})

FLOOR_ABBREVIATIONS: Final[dict[str, tuple[str, ...]]] = {
    "GFF": ("GROUND", "FLOOR", "FLAT"),
    "FFF": ("FIRST", "FLOOR", "FLAT"),
    "SFF": ("SECOND", "FLOOR", "FLAT"),
    "TFF": ("TOP", "FLOOR", "FLAT"),
    "GF": ("GROUND", "FLOOR"),
    "FF": ("FIRST", "FLOOR"),
    "FLR": ("FLOOR",),
    "BSMT": ("BASEMENT",),
    "GRD": ("GROUND",),
}

ORDINALS: Final[dict[str, str]] = {
    "1ST": "FIRST",
    "2ND": "SECOND",
    "3RD": "THIRD",
    "4TH": "FOURTH",
    "5TH": "FIFTH",
    "6TH": "SIXTH",
    "7TH": "SEVENTH",
    "8TH": "EIGHTH",
    "9TH": "NINTH",
    "10TH": "TENTH",
}

# Words that end a building name ("ROSE COTTAGE", "KINGS COURT").
BUILDING_WORDS: Final = frozenset(
    {
        "HOUSE",
        "COTTAGE",
        "COTTAGES",
        "COURT",
        "LODGE",
        "FARM",
        "FARMHOUSE",
        "BARN",
        "HALL",
        "MANOR",
        "VILLA",
        "BUNGALOW",
        "MILL",
        "MANSIONS",
        "TOWER",
        "POINT",
        "CHAMBERS",
        "CENTRE",
        "WORKS",
        "BUILDING",
        "BUILDINGS",
        "APARTMENTS",
        "FLATS",
        "HOSTEL",
        "SCHOOL",
        "CHURCH",
        "CHAPEL",
        "RECTORY",
        "VICARAGE",
        "STABLES",
        "GRANGE",
    }
)

# Words that say nothing about which property is meant.
# Counties (one-word names and the last word of the others) people add after the town: a
# county left over once the town is found is not held against a candidate.
COUNTY_WORDS: Final = frozenset(
    {
        "AVON", "BEDFORDSHIRE", "BERKSHIRE", "BUCKINGHAMSHIRE", "CAMBRIDGESHIRE", "CHESHIRE",
        "CLWYD", "CORNWALL", "CUMBRIA", "DERBYSHIRE", "DEVON", "DORSET", "DURHAM", "DYFED",
        "ESSEX", "GLAMORGAN", "GLOUCESTERSHIRE", "GWENT", "GWYNEDD", "HAMPSHIRE",
        "HEREFORDSHIRE", "HERTFORDSHIRE", "KENT", "LANCASHIRE", "LEICESTERSHIRE",
        "LINCOLNSHIRE", "MERSEYSIDE", "MIDDLESEX", "NORFOLK", "NORTHAMPTONSHIRE",
        "NORTHUMBERLAND", "NOTTINGHAMSHIRE", "OXFORDSHIRE", "POWYS", "RUTLAND", "SHROPSHIRE",
        "SOMERSET", "STAFFORDSHIRE", "SUFFOLK", "SURREY", "SUSSEX", "WARWICKSHIRE",
        "WILTSHIRE", "WORCESTERSHIRE", "YORKSHIRE",
    }
)  # fmt: skip
NOISE_WORDS: Final = frozenset({"UK", "GB", "KINGDOM", "ENGLAND", "WALES", "SCOTLAND", "BRITAIN"})

# Words that, when left over in a query, hint that the input names a sub-building.
SAO_HINTS: Final = (
    frozenset(SAO_KEYWORDS) | FLOOR_WORDS | SAO_STANDALONE | frozenset({"MAISONETTE"})
)
