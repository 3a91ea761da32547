"""The building on the site: gross floor area, footprint, floors, plant yard and roof.

Net area = white space + grey space (electrical and mechanical plant rooms) + support space;
gross floor area adds the vertical core (stairs, lifts, risers). The largest footprint the
zoning allows is site area x building coverage ratio (건폐율); floors follow, and the gross
floor area is tested against the floor-area ratio (용적률).
"""

from __future__ import annotations

import math


def gross_floor_area_m2(net_area_m2, core_frac):
    """Gross floor area for a net area when ``core_frac`` of each floor is vertical core [m²].

    Examples
    --------
    >>> gross_floor_area_m2(850.0, 0.15)
    1000.0
    """
    return net_area_m2 / (1 - core_frac)


def footprint_max_m2(site_area_m2, building_coverage_max_frac):
    """Largest building footprint the zoning allows [m²].

    References
    ----------
    국토의 계획 및 이용에 관한 법률 시행령 제84조; facts.yaml kr.site.general_industrial_envelope:
    70 % of 8,264.46 m² = 5,785.1 m².

    Examples
    --------
    >>> round(footprint_max_m2(8264.46, 0.70), 1)
    5785.1
    """
    return site_area_m2 * building_coverage_max_frac


def buildable_area_m2(site_area_m2, setback_m):
    """Area inside the setback lines of a square plot of ``site_area_m2`` [m²].

    The plot's shape is not known, so it is taken as a square: ``(sqrt(A) - 2 s)²``; 0 when the
    setbacks meet.

    References
    ----------
    건축법 제58조 (대지 안의 공지), 시행령 제80조의2.

    Examples
    --------
    >>> buildable_area_m2(10_000.0, 5.0)  # 100 m square, 5 m all round: 90 x 90
    8100.0
    """
    side_m = max(math.sqrt(site_area_m2) - 2.0 * setback_m, 0.0)
    return side_m * side_m


def footprint_limit_m2(site_area_m2, building_coverage_max_frac, buildable_area_m2, plant_yard_m2):
    """Largest footprint: the coverage limit, or what the setbacks leave after the plant yard [m²].

    The generator yard and the substation stand on the plot outside the building, so they are
    counted before it.

    Examples
    --------
    >>> footprint_limit_m2(8264.46, 0.70, 7735.0, 2000.0)  # the yard binds: 7,735 - 2,000
    5735.0
    >>> round(footprint_limit_m2(8264.46, 0.70, 7735.0, 500.0), 1)  # the coverage ratio binds
    5785.1
    """
    return min(site_area_m2 * building_coverage_max_frac, max(buildable_area_m2 - plant_yard_m2, 0.0))


def gross_floor_area_max_m2(site_area_m2, floor_area_ratio_max_frac):
    """Largest gross floor area the zoning allows [m²].

    Examples
    --------
    >>> round(gross_floor_area_max_m2(8264.46, 3.5), 1)  # facts: 28,925.6 m²
    28925.6
    """
    return site_area_m2 * floor_area_ratio_max_frac


def floors_needed(gross_floor_area_m2, footprint_max_m2):
    """Floors needed at the largest footprint (fractional: 2.3 means 3 floors, the last part-full).

    Examples
    --------
    >>> floors_needed(11570.2, 5785.1)
    2.0
    """
    return gross_floor_area_m2 / footprint_max_m2


def floors_used(floors_needed):
    """Whole floors, at least one (tolerant of binary rounding of an exact ratio).

    Examples
    --------
    >>> floors_used(2.0000000001), floors_used(2.1), floors_used(0.3)
    (2, 3, 1)
    """
    return max(1, math.ceil(floors_needed - 1e-6))


def site_it_capacity_kw(it_power_kw, gross_floor_area_m2, floors_allowed, footprint_max_m2,
                        gross_floor_area_max_m2):
    """Return the IT load the site's envelope holds at a design's floor area per kW [kW].

    The envelope is the smaller of ``floors_allowed x footprint_max`` and the floor-area-ratio
    limit. Space scales about linearly with IT load at a fixed density (white space per rack,
    plant rooms per installed kW), so this is the first estimate of what phase 2 can add.

    Examples
    --------
    >>> site_it_capacity_kw(8000.0, 4000.0, 5, 5785.1, 28925.6)  # 28,925.5 m² / 0.5 m²/kW
    57851.0
    """
    envelope_m2 = min(floors_allowed * footprint_max_m2, gross_floor_area_max_m2)
    return envelope_m2 * it_power_kw / gross_floor_area_m2
