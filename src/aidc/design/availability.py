"""Availability of the facility as designed: reliability block diagrams of the power chain and cooling.

Each component has an inherent availability ``A = MTBF / (MTBF + MTTR)``. Blocks combine them:
in series every block must work (``A = prod A_i``); in parallel one suffices
(``A = 1 - prod (1 - A_i)``); a group of ``n`` identical units of which ``k`` must work is
``A = sum_{j=k..n} C(n, j) a^j (1 - a)^(n - j)``. Redundancy maps onto these blocks the way the
design installs units (:data:`aidc.design.power.REDUNDANCY`): ``N`` is ``n`` of ``n``, ``N+1`` is
``n`` of ``n + 1`` and ``2N`` is two independent sides of ``n`` of ``n`` each, in parallel.

The facility (one rack's view):

* source = utility feed in parallel with the generator plant (``k`` of ``n`` generators);
* power distribution = transformers, switchgear, UPS modules (each with its battery string) and the
  floor PDU, as one side (``N``, ``N+1``) or two sides in parallel (``2N``: dual-corded IT);
* cooling = chillers, cooling towers, chilled- and condenser-water pumps (one of each per chiller),
  CDUs and air handlers, each a ``k`` of ``n`` group at the cooling redundancy.

Facility availability = source x distribution x cooling. Independent failures, inherent availability
(repair time only), no common-cause failures, no human error: the figure is an upper bound of what a
site reaches in operation, for comparing designs, as in Arno et al. (2012).

References
----------
Arno, R., Friedl, A., Gross, P., Schuerger, R. J. (2012). Reliability of data centers by tier
classification. IEEE Trans. Ind. Appl. 48(2), 777-783. doi:10.1109/TIA.2011.2180872.
US Army TM 5-698-1 (2007), Reliability/availability of electrical & mechanical systems for C4ISR
facilities, ch. 3 (block diagrams) and TM 5-698-5 (2006), App. B (component data).
OREDA-2009, Offshore and Onshore Reliability Data (chiller, pump and cooling-tower rows; the data
file names the copy read).
Uptime Institute, Tier Standard: Topology.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import cache
from typing import Any

from aidc.data import load_yaml
from aidc.design.results import AvailabilityDesign, CoolingDesign, PowerDesign
from aidc.units import H_PER_YEAR

RELIABILITY_FILE = "catalog/reliability.yaml"


def inherent_availability(mtbf_h, mttr_h):
    """Share of time a repairable unit works: ``MTBF / (MTBF + MTTR)``.

    Examples
    --------
    >>> inherent_availability(999.0, 1.0)
    0.999
    """
    return mtbf_h / (mtbf_h + mttr_h)


def series(availabilities: Iterable[float]) -> float:
    """Availability of blocks that must all work.

    Examples
    --------
    >>> round(series([0.9, 0.9]), 6)
    0.81
    """
    return math.prod(availabilities)


def parallel(availabilities: Iterable[float]) -> float:
    """Availability of blocks of which any one suffices.

    Examples
    --------
    >>> round(parallel([0.9, 0.9]), 6)
    0.99
    """
    return 1.0 - math.prod(1.0 - a for a in availabilities)


def k_of_n(unit_availability: float, k: int, n: int) -> float:
    """Availability of ``n`` identical units of which at least ``k`` must work (binomial sum).

    Examples
    --------
    >>> round(k_of_n(0.9, 1, 2), 6), round(k_of_n(0.9, 2, 3), 6)
    (0.99, 0.972)
    """
    if not 0 <= k <= n:
        raise ValueError(f"k of n needs 0 <= k <= n, got k={k}, n={n}")
    a = unit_availability
    return sum(math.comb(n, j) * a**j * (1.0 - a) ** (n - j) for j in range(k, n + 1))


def redundant_group(unit_availability: float, n_required: int, redundancy: str) -> float:
    """Availability of ``n_required`` units installed at ``redundancy`` (N, N+1 or 2N).

    Examples
    --------
    >>> [round(redundant_group(0.9, 1, r), 4) for r in ("N", "N+1", "2N")]
    [0.9, 0.99, 0.99]
    """
    if redundancy == "N":
        return k_of_n(unit_availability, n_required, n_required)
    if redundancy == "N+1":
        return k_of_n(unit_availability, n_required, n_required + 1)
    if redundancy == "2N":
        side = k_of_n(unit_availability, n_required, n_required)
        return parallel([side, side])
    raise ValueError(f"unknown redundancy {redundancy!r}: expected N, N+1 or 2N")


def downtime_h_per_y(availability):
    """Return the expected hours per year out of service: ``(1 - A) x 8,760 h``.

    Examples
    --------
    >>> round(downtime_h_per_y(0.9999), 3)
    0.876
    """
    return (1.0 - availability) * H_PER_YEAR


#: The record of ``components`` that holds, together, the rows no published source was found for.
UNSOURCED_COMPONENTS = "unsourced"


@cache
def reliability_data() -> dict[str, Any]:
    """Return the records of ``catalog/reliability.yaml`` (values only).

    ``components`` comes back as one ``{name: {mtbf_h, mttr_h}}`` table: each sourced component is its
    own record, the unsourced rows share one estimate record (see the data file).
    """
    raw: dict[str, Any] = load_yaml(RELIABILITY_FILE)
    out = {key: rec["value"] for key, rec in raw.items() if key != "components"}
    records = raw["components"]
    out["components"] = {
        **records[UNSOURCED_COMPONENTS]["value"],
        **{name: rec["value"] for name, rec in records.items() if name != UNSOURCED_COMPONENTS},
    }
    return out


def _unit(name: str) -> float:
    row = reliability_data()["components"][name]
    return float(inherent_availability(float(row["mtbf_h"]), float(row["mttr_h"])))


def source_availability(pw: PowerDesign) -> float:
    """Return the availability of the utility feed in parallel with the generator plant."""
    gens = redundant_group(_unit("generator"), pw.n_generators_required, pw.generator_redundancy)
    return parallel([_unit("utility_feed"), gens])


def distribution_availability(pw: PowerDesign) -> float:
    """Return the availability of transformers, switchgear, UPS with batteries and PDU (1 or 2 sides)."""
    ups_unit = series([_unit("ups_module"), _unit("battery_string")])
    red = "N+1" if pw.ups_redundancy == "N+1" else "N"  # a 2N side is N of N; the sides come below
    side = series([
        redundant_group(_unit("transformer"), pw.n_transformers_required, red),
        _unit("switchgear"),
        redundant_group(ups_unit, pw.n_ups_modules_required, red),
        _unit("pdu"),
    ])
    return parallel([side, side]) if pw.ups_redundancy == "2N" else side


def cooling_availability(cl: CoolingDesign) -> float:
    """Return the availability of chillers, towers, two pumps per chiller, CDUs and air handlers."""
    red = cl.cooling_redundancy
    groups = [
        redundant_group(_unit("chiller"), cl.n_chillers_required, red),
        redundant_group(_unit("cooling_tower"), cl.n_cooling_towers_required, red),
        redundant_group(_unit("pump"), cl.n_chillers_required, red) ** 2,  # chilled + condenser water
    ]
    if cl.n_cdus:
        groups.append(redundant_group(_unit("cdu"), _required(cl.n_cdus, red), red))
    if cl.n_crahs:
        groups.append(redundant_group(_unit("crah"), _required(cl.n_crahs, red), red))
    return series(groups)


def _required(n_installed: int, redundancy: str) -> int:
    """Units needed out of ``n_installed`` (the design keeps only the installed CDU/CRAH counts)."""
    return {"N": n_installed, "N+1": n_installed - 1, "2N": n_installed // 2}[redundancy]


def tier_met(ups_redundancy: str, generator_redundancy: str, cooling_redundancy: str) -> int:
    """Return the Uptime Tier whose topology rules (``tier_rules`` in the data file) the redundancy meets.

    Tier II wants every capacity group N+1 or better; Tier III adds a second power path (2N UPS);
    Tier IV adds simultaneously active cooling paths (2N cooling).

    Examples
    --------
    >>> tier_met("2N", "N+1", "N+1"), tier_met("2N", "N+1", "2N"), tier_met("N+1", "N+1", "N+1")
    (3, 4, 2)
    >>> tier_met("2N", "N", "N+1")
    1
    """
    if "N" in (ups_redundancy, generator_redundancy, cooling_redundancy):
        return 1
    if ups_redundancy != "2N":
        return 2
    return 4 if cooling_redundancy == "2N" else 3


def facility_availability(pw: PowerDesign, cl: CoolingDesign) -> AvailabilityDesign:
    """Availability, downtime and Uptime Tier of the power chain and cooling plant as designed."""
    src, dist, cool = source_availability(pw), distribution_availability(pw), cooling_availability(cl)
    total = series([src, dist, cool])
    data = reliability_data()
    target = int(data["tier_target"])
    return AvailabilityDesign(
        availability_frac=total, downtime_h_per_y=float(downtime_h_per_y(total)),
        source_downtime_h_per_y=float(downtime_h_per_y(src)),
        distribution_downtime_h_per_y=float(downtime_h_per_y(dist)),
        cooling_downtime_h_per_y=float(downtime_h_per_y(cool)),
        tier_met=tier_met(pw.ups_redundancy, pw.generator_redundancy, cl.cooling_redundancy),
        tier_target=target, tier_target_downtime_h_per_y=float(data["tier_downtime_h_per_y"][target]),
    )
