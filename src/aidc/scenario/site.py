"""The site: land, zoning envelope and building limits."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from aidc import data, units
from aidc.errors import Note
from aidc.scenario._base import Section, quantity

#: Korean zoning classes (용도지역) with national bounds in ``data/catalog/zoning.yaml``.
Zoning = Literal[
    "exclusive_industrial", "general_industrial", "semi_industrial", "planning_management",
    "production_management", "conservation_management", "natural_green",
]


def zoning_bounds(zoning: str) -> dict[str, float]:
    """Return the national bounds of a zoning class: coverage max, FAR min and max (fractions).

    References
    ----------
    국토의 계획 및 이용에 관한 법률 시행령 제84조 (건폐율), 제85조 (용적률).

    Examples
    --------
    >>> zoning_bounds("planning_management")["floor_area_ratio_max_frac"]
    1.0
    """
    zone = data.load_yaml("catalog/zoning.yaml")[zoning]
    return {k: float(v["value"]) for k, v in zone.items() if isinstance(v, dict)}


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
    zoning: Zoning = Field(
        default_factory=data.default("site.zoning"),
        description="Zoning class of the plot (용도지역); sets the legal bounds of 건폐율 and 용적률.",
        json_schema_extra={"unit": "-", "default_key": "site.zoning"},
    )
    building_coverage_max_frac: float | None = Field(
        None, gt=0, le=1, json_schema_extra={"unit": "-"},
        description="Building footprint / site area limit (건폐율) set by the local ordinance; "
        "default: the zoning class's national maximum.",
    )
    floor_area_ratio_max_frac: float | None = Field(
        None, gt=0, le=20, json_schema_extra={"unit": "-"},
        description="Gross floor area / site area limit (용적률, 3.5 = 350 %) set by the local ordinance; "
        "default: the zoning class's national maximum.",
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
            raise ValueError(Note("give the site area as area_pyeong or area_m2, not both"))
        if self.area_pyeong is None and self.area_m2 is None:
            raise ValueError(Note("the site needs an area: area_pyeong or area_m2"))
        bounds = zoning_bounds(self.zoning)
        for field, given, bound in (
            ("building_coverage_max_frac", self.building_coverage_max_frac,
             bounds["building_coverage_max_frac"]),
            ("floor_area_ratio_max_frac", self.floor_area_ratio_max_frac,
             bounds["floor_area_ratio_max_frac"]),
        ):
            if given is not None and given > bound + 1e-9:
                raise ValueError(Note(
                    "{field} = {given} exceeds the national maximum {bound} of zoning '{zoning}' "
                    "(국토계획법 시행령 제84조/제85조)", field=field, given=f"{given:g}", bound=f"{bound:g}",
                    zoning=self.zoning,
                ))
        return self

    @property
    def coverage_limit_frac(self) -> float:
        """건폐율 limit in force: the ordinance's value if given, else the zone's national maximum."""
        if self.building_coverage_max_frac is not None:
            return self.building_coverage_max_frac
        return zoning_bounds(self.zoning)["building_coverage_max_frac"]

    @property
    def floor_area_ratio_limit_frac(self) -> float:
        """용적률 limit in force: the ordinance's value if given, else the zone's national maximum."""
        if self.floor_area_ratio_max_frac is not None:
            return self.floor_area_ratio_max_frac
        return zoning_bounds(self.zoning)["floor_area_ratio_max_frac"]

    @property
    def site_area_m2(self) -> float:
        """Site area [m²], whichever unit it was given in."""
        if self.area_m2 is not None:
            return self.area_m2
        assert self.area_pyeong is not None  # guaranteed by _one_area
        return units.pyeong_to_m2(self.area_pyeong)
