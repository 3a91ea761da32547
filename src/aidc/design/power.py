"""The power chain: IT load -> PDUs -> UPS modules -> transformers -> generators -> utility.

Every watt is accounted for: facility peak = IT + conversion losses (PDU, UPS, transformer)
+ cooling + other (lighting, offices). Losses are those of each stage at design load:
``loss = output * (1 / efficiency - 1)``. Equipment counts are ``ceil(load / unit size)``
and then made redundant (N, N+1 or 2N).
"""

from __future__ import annotations

import math
from collections.abc import Callable

_REL_TOL = 1e-9

# Model choice is data: redundancy name -> units installed for n required.
REDUNDANCY: dict[str, Callable[[int], int]] = {
    "N": lambda n: n,
    "N+1": lambda n: n + 1,
    "2N": lambda n: 2 * n,
}

# Units that may fail (or be maintained) while the rest still carry the load.
SPARE_UNITS: dict[str, Callable[[int], int]] = {
    "N": lambda n_installed: 0,
    "N+1": lambda n_installed: 1,
    "2N": lambda n_installed: n_installed // 2,
}


def conversion_loss_kw(output_kw, efficiency_frac):
    """Loss of a conversion stage delivering ``output_kw`` at ``efficiency_frac`` [kW].

    Parameters
    ----------
    output_kw : float or array
        Power delivered downstream. [kW]
    efficiency_frac : float
        Output / input at this load. [-]

    References
    ----------
    ENERGY STAR UPS average efficiency 96.7 % (facts.yaml elec.ups.energy_star_avg_req).

    Examples
    --------
    >>> round(conversion_loss_kw(967.0, 0.967), 6)  # input 1,000 kW
    33.0
    """
    return output_kw * (1.0 / efficiency_frac - 1.0)


def units_required(load, unit_capacity):
    """Units of ``unit_capacity`` needed to carry ``load`` (ceiling; same unit for both).

    Examples
    --------
    >>> units_required(8080.0, 1000.0)
    9
    >>> units_required(8000.0, 1000.0)
    8
    """
    return math.ceil(load / unit_capacity * (1 - _REL_TOL))


def units_installed(n_required: int, redundancy: str) -> int:
    """Units installed for ``n_required`` at a redundancy level (N, N+1, 2N).

    Examples
    --------
    >>> [units_installed(9, r) for r in ("N", "N+1", "2N")]
    [9, 10, 18]
    """
    return REDUNDANCY[redundancy](n_required)


def capacity_after_spares_kw(n_installed: int, unit_kw: float, redundancy: str) -> float:
    """Capacity left when the redundant units are out (the load the design guarantees) [kW].

    Examples
    --------
    >>> capacity_after_spares_kw(18, 1000.0, "2N")  # one side of a 2N system
    9000.0
    """
    return (n_installed - SPARE_UNITS[redundancy](n_installed)) * unit_kw


def other_power_kw(it_power_kw, other_power_frac):
    """Lighting, offices, security and BMS as a share of IT load [kW].

    Examples
    --------
    >>> other_power_kw(8000.0, 0.02)
    160.0
    """
    return it_power_kw * other_power_frac


def apparent_power_kva(power_kw, power_factor):
    """Apparent power for a real power at a power factor [kVA].

    Examples
    --------
    >>> apparent_power_kva(950.0, 0.95)
    1000.0
    """
    return power_kw / power_factor
