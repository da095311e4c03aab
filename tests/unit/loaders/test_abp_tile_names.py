"""§5.2.2: an ABP file name carries a volume number or, for a 5 km tile COU, a tile reference."""

from __future__ import annotations

import pytest

from loaders.readers import abp


@pytest.mark.parametrize(
    ("name", "tile"),
    [
        ("AddressBasePremium_COU_2024-01-08_TQ3080.csv", "TQ3080"),
        ("AddressBasePremium_COU_2024-01-08_tq3080_csv.zip", "TQ3080"),
        ("AddressBasePremium_ISL_COU_2020-12-02_SV9010.csv", "SV9010"),
        ("AddressBasePremium_COU_2024-01-08_001.csv", None),
        ("AddressBasePremium_FULL_2024-01-08_001_csv.zip", None),
        ("AddressBasePremium_COU_2024-01-08_T3080.csv", None),
        ("AddressBasePremium_COU_2024-01-08_TQ30801.csv", None),
        ("ID21_BLPU_Records.csv", None),
        ("TQ3080.csv", None),
    ],
)
def test_the_tile_reference_is_read_from_the_volume_position(name: str, tile: str | None) -> None:
    assert abp.tile_of(name) == tile
