"""Racks and floor space: units per rack, rows, white space and floor loading.

A rack holds as many units (servers or switches) as the tightest of three limits allows:
the rack power limit of the hall's cooling kind, the usable rack units, and the cabinet's
weight rating. White space per rack is the rack-and-aisle pitch plus a hall allowance of
the cooling kind (CRAH galleries, CDUs, cross aisles).
"""

from __future__ import annotations

import numpy as np

_REL_TOL = 1e-9  # see aidc.design.fleet: 4 x 10.2 kW must fit a 40.8 kW rack


def units_per_rack_by_power(rack_power_max_kw, unit_power_kw):
    """Units that fit under the rack power limit.

    Examples
    --------
    >>> units_per_rack_by_power(40.8, 10.2)  # NVIDIA SuperPOD: 4 DGX H100 = 40.8 kW
    4.0
    """
    return (rack_power_max_kw * (1 + _REL_TOL)) // unit_power_kw


def units_per_rack_by_space(rack_units_usable, unit_rack_units):
    """Units that fit in the usable rack units.

    Examples
    --------
    >>> units_per_rack_by_space(42, 8)
    5
    """
    return rack_units_usable // unit_rack_units


def units_per_rack_by_weight(rack_weight_max_kg, rack_fitout_weight_kg, unit_weight_kg):
    """Units that the cabinet's weight rating carries after its own fit-out.

    Examples
    --------
    >>> units_per_rack_by_weight(1360, 180, 130.45)
    9.0
    """
    return (rack_weight_max_kg - rack_fitout_weight_kg) // unit_weight_kg


def units_per_rack(by_power, by_space, by_weight):
    """Return the tightest of the three limits, at least 1.

    A unit that fits no rack still takes one; the rack-power or rack-weight check then fails
    and says so.

    Examples
    --------
    >>> int(units_per_rack(4, 5, 9))
    4
    """
    if any(hasattr(x, "shape") for x in (by_power, by_space, by_weight)):
        return np.maximum(np.minimum(np.minimum(by_power, by_space), by_weight), 1)
    return max(min(by_power, by_space, by_weight), 1)  # plain scalars: 20x faster than numpy


def n_racks(n_units, per_rack):
    """Racks for ``n_units`` at ``per_rack`` each (ceiling).

    Examples
    --------
    >>> n_racks(127, 4)
    32
    """
    return -(-n_units // per_rack)


def rack_weight_kg(n_units_in_rack, unit_weight_kg, rack_fitout_weight_kg):
    """Weight of a filled rack [kg].

    Examples
    --------
    >>> rack_weight_kg(4, 130.45, 180)
    701.8
    """
    return n_units_in_rack * unit_weight_kg + rack_fitout_weight_kg


def rack_pitch_m2(rack_width_m, rack_depth_m, cold_aisle_m, hot_aisle_m):
    """Floor area a rack takes with half of the cold and hot aisles on its two faces [m²].

    Examples
    --------
    >>> round(rack_pitch_m2(0.6, 1.2, 1.2, 0.9), 2)  # 0.6 * (1.2 + 0.6 + 0.45)
    1.35
    """
    return rack_width_m * (rack_depth_m + cold_aisle_m / 2 + hot_aisle_m / 2)


def white_space_m2_per_rack(rack_pitch_m2, hall_allowance_frac):
    """White space per rack including the hall allowance of the cooling kind [m²].

    Examples
    --------
    >>> round(white_space_m2_per_rack(1.35, 0.8), 2)
    2.43
    """
    return rack_pitch_m2 * (1 + hall_allowance_frac)


def floor_loading_kg_per_m2(rack_weight_kg, rack_pitch_m2):
    """Distributed load of a rack over its tributary area (rack plus half aisles) [kg/m²].

    Examples
    --------
    >>> round(floor_loading_kg_per_m2(701.8, 1.35), 1)
    519.9
    """
    return rack_weight_kg / rack_pitch_m2


def n_rows(n_racks, racks_per_row_max):
    """Rows of at most ``racks_per_row_max`` racks.

    Examples
    --------
    >>> n_rows(556, 20)
    28
    """
    return -(-n_racks // racks_per_row_max)
