"""How council address lists write an address: the forms of the ``council`` query family.

:func:`typed` writes one address as a council tax, electoral register, CRM or housing list
might hold it, showing one form (its query kind) over a background of list habits: upper case,
district and county lines, postcodes missing or unspaced, odd separators.
"""

from __future__ import annotations

import random

from bench import match_data
from bench.match_data import Address
from gazetteer import domain

WELSH_TOWNS = {"NEWTOWN": "Y DRENEWYDD", "OLDBURY": "HENFFORDD"}
DISTRICTS = ("EAST DEVON", "MID DEVON", "NORTH KENT", "SOUTH HAMS")
COUNTIES = ("DEVON", "KENT", "ESSEX")
STRAY_LOCALITIES = ("HEAVITREE", "WHIPTON", "ST LEONARDS", "POLSLOE")
SURNAMES = ("MRS J SMITH", "MR A PATEL", "MS K JONES", "HOUSING OFFICER")
FLOOR_FLATS = {
    "GROUND FLOOR FLAT": ("GROUND FLOOR FLAT", "GFF", "GROUND FLR FLAT", "GRD FLOOR FLAT"),
    "FIRST FLOOR FLAT": ("FIRST FLOOR FLAT", "1ST FLR", "1ST FLOOR FLAT", "FFF"),
    "SECOND FLOOR FLAT": ("SECOND FLOOR FLAT", "2ND FLOOR FLAT", "2ND FLR FLAT", "SFF"),
    "TOP FLOOR FLAT": ("TOP FLAT", "TOP FLOOR FLAT", "TFF"),
    "BASEMENT FLAT": ("BASEMENT FLAT", "BSMT FLAT", "BASEMENT"),
}
# A floor flat written flat first, as many council tax lists hold it.
FLOOR_FLATS_FIRST = {
    "GROUND FLOOR FLAT": ("FLAT GROUND FLOOR", "FLAT GRD FLR", "GROUND FLOOR"),
    "FIRST FLOOR FLAT": ("FLAT 1ST FLOOR", "FLAT FIRST FLOOR", "FIRST FLOOR", "FLAT 1ST FLR"),
    "SECOND FLOOR FLAT": ("FLAT 2ND FLOOR", "FLAT SECOND FLOOR", "SECOND FLOOR"),
    "TOP FLOOR FLAT": ("FLAT TOP FLOOR", "TOP FLOOR"),
    "BASEMENT FLAT": ("FLAT BASEMENT", "BASEMENT"),
}
ANNEXE_FORMS = ("THE ANNEXE", "ANNEXE", "ANNEX", "THE ANNEX")
SAINT_FORMS = ("ST MARYS ROAD", "ST. MARY'S RD", "SAINT MARYS ROAD", "ST MARY'S RD", "ST.MARYS RD")


WELSH_STREETS = {"MARKET SQUARE": "SGWAR Y FARCHNAD"}
GENERAL_FORMS = (
    "upper", "admin lines", "stray locality", "postcode lower no space", "postcode misplaced",
    "postcode missing", "old postcode", "no. number", "no space after comma", "punctuation",
    "c/o line", "number comma street",
)  # fmt: skip


def typed(rng: random.Random, address: Address, *, plain_flat: bool = False) -> tuple[str, str]:
    """A council list's line for ``address``, and the form it shows (its query kind)."""
    lpi = address.lpi
    specific = _specific_forms(address)
    form = rng.choice(specific) if specific and rng.random() < 0.7 else rng.choice(GENERAL_FORMS)
    welsh = form == "welsh"
    street = WELSH_STREETS[address.descriptor.description] if welsh else _street(rng, address, form)
    town = address.descriptor.town_name or ""
    town = WELSH_TOWNS[town] if welsh else town
    lines = _lead_lines(rng, address, form)
    sao = (lpi.sao_text or "") if plain_flat else _sao(rng, lpi, form)
    pao_lines = _pao_lines(rng, lpi, form, sao, street)
    lines += pao_lines
    lines += _place_lines(rng, town, form)
    text = _with_postcode(rng, lines, address.postcode, form)
    return _case(rng, text, form), form


def _specific_forms(address: Address) -> list[str]:
    lpi, forms = address.lpi, []
    numbered_flat = lpi.sao_start_number or _numbered_flat_text(lpi.sao_text)
    if numbered_flat and lpi.pao_start_number is None:
        forms += ["flat same line", "flat number before building", "apartment"]
    elif numbered_flat:
        forms += ["flat same line", "flat slash first", "flat slash last", "flat bare numbers"]
        forms += ["apartment", "apt"]
    elif lpi.sao_text:
        forms += ["flat same line", "sub-building words"]
        forms += ["floor flat first"] if lpi.sao_text in FLOOR_FLATS else []
        forms += ["annexe"] if lpi.sao_text == "THE ANNEXE" else []
    if lpi.pao_text:
        forms += ["name line", "name same line"]
        forms += ["name dropped", "name without number"] if lpi.pao_start_number else []
        forms += [] if lpi.pao_start_number or lpi.sao_text else ["street left out"]
    if lpi.pao_end_number:
        forms += ["range spaced", "range slash"]
    if lpi.pao_start_suffix:
        forms += ["suffix spaced", "suffix lower"]
    if address.descriptor.description.startswith("ST."):
        forms.append("saint")
    if " AND " in address.descriptor.description or "&" in (address.organisation or ""):
        forms.append("ampersand")
    if address.organisation:
        forms.append("organisation")
    if address.welsh_lpi is not None:
        forms.append("welsh")
    return forms


def _street(rng: random.Random, address: Address, form: str) -> str:
    street = address.descriptor.description
    if street.startswith("ST."):
        return rng.choice(SAINT_FORMS) if form == "saint" or rng.random() < 0.5 else street
    if form == "ampersand":
        return street.replace(" AND ", " & ")
    if rng.random() < 0.4:
        for full, short in match_data.ABBREVIATIONS.items():
            street = street.replace(full, short)
    return street


def _lead_lines(rng: random.Random, address: Address, form: str) -> list[str]:
    lines = []
    if form == "c/o line" or rng.random() < 0.02:
        lines.append(f"C/O {rng.choice(SURNAMES)}")
    if address.organisation and (form in {"organisation", "ampersand"} or rng.random() < 0.5):
        organisation = address.organisation
        lines.append(organisation.replace("&", "AND") if form == "ampersand" else organisation)
    return lines


def _numbered_flat_text(text: str | None) -> bool:
    return bool(text and text.startswith("FLAT ") and text[5:6].isdigit())


def _sao(rng: random.Random, lpi: domain.Lpi, form: str) -> str:
    if lpi.sao_start_number:
        value = f"{lpi.sao_start_number}{lpi.sao_start_suffix or ''}"
    elif _numbered_flat_text(lpi.sao_text):
        value = (lpi.sao_text or "").split()[-1]
    elif lpi.sao_text in FLOOR_FLATS:
        forms = FLOOR_FLATS_FIRST if form == "floor flat first" else FLOOR_FLATS
        return rng.choice(forms[lpi.sao_text])
    elif lpi.sao_text == "THE ANNEXE":
        return rng.choice(ANNEXE_FORMS) if form == "annexe" else lpi.sao_text
    elif lpi.sao_text and lpi.sao_text.startswith("FLAT "):
        return rng.choice(
            [lpi.sao_text, lpi.sao_text.replace("FLAT", "FLT"), f"APARTMENT {lpi.sao_text[5:]}"]
        )
    elif lpi.sao_text and lpi.sao_text.startswith("ROOM "):
        return rng.choice([lpi.sao_text, lpi.sao_text.replace("ROOM", "RM")])
    elif lpi.sao_text and lpi.sao_text.startswith("UNIT "):
        return rng.choice([lpi.sao_text, lpi.sao_text.replace("UNIT ", "UNIT NO ")])
    else:
        return lpi.sao_text or ""
    if form == "apartment":
        return f"APARTMENT {value}"
    if form == "apt":
        return f"APT {value}"
    if lpi.sao_start_suffix and rng.random() < 0.3:
        return f"FLAT {lpi.sao_start_number} {lpi.sao_start_suffix}"
    return f"FLAT {value}"


def _pao_lines(rng: random.Random, lpi: domain.Lpi, form: str, sao: str, street: str) -> list[str]:
    number = _pao_number(rng, lpi, form)
    name = lpi.pao_text or ""
    if name == "THE OLD RECTORY" and rng.random() < 0.3:
        name = "OLD RECTORY"
    if form == "name dropped":
        name = ""
    if form == "name without number":
        number = ""
    road = "" if form == "street left out" else f"{number} {street}".strip()
    numbered = sao.startswith("FLAT ") and sao[5:6].isdigit()
    flat_value = sao[5:].replace(" ", "") if numbered else ""
    if form == "flat slash first" and flat_value:
        return [f"{flat_value}/{road}"]
    if form == "flat slash last" and flat_value:
        return [f"{number}/{flat_value} {street}"]
    if form == "flat bare numbers" and flat_value:
        return [f"{flat_value} {road}"]
    if form == "flat number before building" and flat_value:
        return [f"{flat_value} {name}", road]
    if form == "number comma street" and number:
        return [p for p in (sao, name, number, street) if p]
    if form == "name same line" and name:
        return [f"{sao} {name} {road}".strip()]
    if form == "flat same line" and sao:
        return [f"{sao} {name} {road}".replace("  ", " ").strip()]
    return [p for p in (sao, name, road) if p]


def _pao_number(rng: random.Random, lpi: domain.Lpi, form: str) -> str:
    start = lpi.pao_start_number
    if start is None:
        return ""
    suffix = lpi.pao_start_suffix or ""
    if lpi.pao_end_number:
        joint = {"range spaced": " - ", "range slash": "/"}.get(form, "-")
        return f"{start}{joint}{lpi.pao_end_number}"
    if form == "suffix spaced":
        return f"{start} {suffix}"
    if form == "suffix lower":
        return f"{start}{suffix.lower()}"
    if form == "no. number":
        return (
            f"{rng.choice(['NO.', 'NO', 'NO. '])}{'' if rng.random() < 0.5 else ' '}{start}{suffix}"
        )
    return f"{start}{suffix}"


def _place_lines(rng: random.Random, town: str, form: str) -> list[str]:
    lines = []
    if form == "stray locality" or rng.random() < 0.05:
        lines.append(rng.choice(STRAY_LOCALITIES))
    if rng.random() < 0.85 or form == "stray locality":
        lines.append(town)
    if form == "admin lines" or rng.random() < 0.2:
        lines.append(rng.choice(DISTRICTS))
    if form == "admin lines" or rng.random() < 0.25:
        lines.append(rng.choice(COUNTIES))
    return lines


def _with_postcode(rng: random.Random, lines: list[str], postcode: str, form: str) -> str:
    outward, inward = postcode.split()
    if form == "postcode missing" or (form not in GENERAL_FORMS and rng.random() < 0.08):
        postcode = ""
    elif form == "postcode lower no space":
        postcode = f"{outward}{inward}".lower()
    elif form == "old postcode":
        sector = inward[0] if rng.random() < 0.5 else str(rng.randint(1, 4))
        postcode = f"{outward} {sector}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQ')}"
    if form == "postcode misplaced" and postcode:
        at = rng.choice([0, len(lines) - 1, len(lines) - 2]) if len(lines) > 1 else 0
        parts = [*lines[:at], postcode, *lines[at:]]
    else:
        parts = [*lines, postcode] if postcode else lines
    return _join(rng, [p for p in parts if p], form)


def _join(rng: random.Random, parts: list[str], form: str) -> str:
    if form == "no space after comma":
        return ",".join(parts)
    if form == "punctuation":
        glue = rng.choice([",  ", " ,", ",\t", ". ", " ;"])
        return rng.choice([",", "-", "", " "]) + glue.join(parts) + rng.choice([".", ",", " ,", ""])
    return ", ".join(parts) if rng.random() < 0.8 else " ".join(parts)


def _case(rng: random.Random, text: str, form: str) -> str:
    if form == "upper":
        return text.upper()
    return rng.choices([text.upper(), text.title(), text.lower()], weights=[85, 8, 7])[0]
