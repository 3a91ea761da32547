"""The site: land, zoning envelope and building limits."""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from aidc import units
from aidc.scenario._base import Section, quantity


class Site(Section):
    """The plot and what the zoning lets us build on it.

    Give the area in pyeong *or* in m² (not both); the other is derived.
    """

    name: str = Field("Jeonbuk AIDC site", description="Name of the site, for reports.")
    area_pyeong: float | None = Field(
        None, gt=0, description="Site area [pyeong]. Give this or area_m2.",
        json_schema_extra={"unit": "pyeong"},
    )
    area_m2: float | None = Field(
        None, gt=0, description="Site area [m²]. Give this or area_pyeong.",
        json_schema_extra={"unit": "m2"},
    )
    max_floors: int = quantity(
        "site.max_floors", unit="floors", ge=1, le=100,
        description="Most above-ground floors the plan allows.",
    )
    building_coverage_max_frac: float = quantity(
        "site.building_coverage_max_frac", unit="-", gt=0, le=1,
        description="Zoning limit on building footprint / site area (건폐율).",
    )
    floor_area_ratio_max_frac: float = quantity(
        "site.floor_area_ratio_max_frac", unit="-", gt=0, le=20,
        description="Zoning limit on gross floor area / site area (용적률), as a fraction (3.5 = 350 %).",
    )
    floor_height_m: float = quantity(
        "site.floor_height_m", unit="m", gt=2, le=20,
        description="Floor-to-floor height of a data hall floor.",
    )
    floor_loading_max_kg_per_m2: float = quantity(
        "site.floor_loading_max_kg_per_m2", unit="kg/m2", gt=0,
        description="Structural live-load limit of a data hall floor.",
    )

    @model_validator(mode="after")
    def _one_area(self) -> Self:
        if self.area_pyeong is not None and self.area_m2 is not None:
            raise ValueError("give the site area as area_pyeong or area_m2, not both")
        if self.area_pyeong is None and self.area_m2 is None:
            raise ValueError("the site needs an area: area_pyeong or area_m2")
        return self

    @property
    def site_area_m2(self) -> float:
        """Site area [m²], whichever unit it was given in."""
        if self.area_m2 is not None:
            return self.area_m2
        assert self.area_pyeong is not None  # guaranteed by _one_area
        return units.pyeong_to_m2(self.area_pyeong)
