"""The design stage's result types: frozen, picklable dataclasses of plain values.

Field names promised to later stages are listed in ``docs/contracts.md``; more may be added,
none renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Sense = Literal["max", "min"]
CheckKind = Literal["limit", "design", "demand"]


@dataclass(frozen=True, slots=True)
class CapacityEquivalent:
    """What the plan's IT capacity buys in one server type, by nameplate arithmetic alone."""

    server_type: str
    label: str
    power_max_w: float
    n_servers: int
    n_gpus: int


@dataclass(frozen=True, slots=True)
class ArticleArithmetic:
    """The article's sum (capacity / power per server) and the same sum for 8-GPU servers."""

    it_capacity_kw: float
    reference_server: str
    reference_power_w: float
    n_reference_servers: int
    equivalents: tuple[CapacityEquivalent, ...]


@dataclass(frozen=True, slots=True)
class FleetDesign:
    """Servers by type and what they add up to."""

    servers: dict[str, int]
    n_gpus: int
    n_gpus_by_model: dict[str, int]
    gpus_per_node: dict[str, int]
    it_power_kw: float  # servers (storage nodes included) + network, nameplate
    server_power_kw: float
    server_power_by_type_kw: dict[str, float]
    storage_power_kw: float
    network_power_kw: float
    it_capacity_kw: float
    network_in_it_capacity: bool
    n_servers: int
    n_vcpus: int
    storage_tb: float


@dataclass(frozen=True, slots=True)
class RackGroup:
    """Racks of one server type (or of network gear) in one hall."""

    hall: str
    content: str  # server type key, or "network:backend" / "network:frontend"
    n_units: int
    units_per_rack: int
    n_racks: int
    rack_power_kw: float  # of a full rack
    rack_weight_kg: float  # of a full rack, fit-out included
    limited_by: str  # "power", "space" or "weight"
    floor_loading_kg_per_m2: float
    unit_power_kw: float = 0.0

    @property
    def is_network(self) -> bool:
        """True for racks of network switches."""
        return self.content.startswith("network:")


@dataclass(frozen=True, slots=True)
class HallDesign:
    """A data hall: its cooling, racks, rows, white space and IT load."""

    name: str
    cooling: str
    rack_power_max_kw: float
    server_types: tuple[str, ...]
    n_racks: int
    n_network_racks: int
    n_rows: int
    white_space_m2: float
    white_space_m2_per_rack: float
    it_power_kw: float


@dataclass(frozen=True, slots=True)
class LayoutDesign:
    """Racks, halls and the building on the site."""

    n_racks: int
    n_network_racks: int
    n_rows: int
    halls: tuple[HallDesign, ...]
    rack_groups: tuple[RackGroup, ...]
    white_space_m2: float
    electrical_room_m2: float
    mechanical_room_m2: float
    grey_space_m2: float
    support_space_m2: float
    core_m2: float
    gross_floor_area_m2: float
    site_area_m2: float
    building_footprint_m2: float
    footprint_max_m2: float
    gross_floor_area_max_m2: float
    floors_used: int
    floors_allowed: int
    building_height_m: float
    rack_power_max_kw: float  # largest rack in the design
    rack_weight_max_kg: float  # heaviest rack in the design
    floor_loading_kg_per_m2: float  # worst rack tributary loading
    generator_yard_m2: float
    yard_available_m2: float
    roof_plant_m2: float
    gross_floor_area_m2_per_kw: float = 0.0  # of IT load, this design's density
    site_it_capacity_kw: float = 0.0  # IT load the site's envelope holds at that density


@dataclass(frozen=True, slots=True)
class PowerDesign:
    """The power chain from the utility to the racks, at design peak."""

    it_design_kw: float
    pdu_loss_kw: float
    ups_loss_kw: float
    transformer_loss_kw: float
    loss_kw: float
    cooling_power_kw: float
    other_power_kw: float
    facility_peak_kw: float
    grid_contract_kw: float
    grid_contract_given: bool
    n_pdus: int
    pdu_kw: float
    ups_redundancy: str
    ups_load_kw: float
    n_ups_modules_required: int
    n_ups_modules: int
    ups_module_kw: float
    ups_installed_kw: float
    n_transformers_required: int
    n_transformers: int
    transformer_kva: float
    generator_redundancy: str
    n_generators_required: int
    n_generators: int
    generator_kw: float


@dataclass(frozen=True, slots=True)
class CoolingDesign:
    """Heat to reject and the plant that rejects it, at design conditions."""

    design_pue: float
    heat_rejected_kw: float
    chiller_load_kw: float
    liquid_heat_kw: float
    compressor_power_kw: float
    room_fan_power_kw: float
    plant_aux_power_kw: float
    cooling_power_kw: float
    chiller_cop: float
    cooling_redundancy: str
    chiller_kw: float
    n_chillers_required: int
    n_chillers: int
    cooling_tower_kw: float
    n_cooling_towers_required: int
    n_cooling_towers: int
    cdu_kw: float
    n_cdus: int
    crah_kw: float
    n_crahs: int
    n_rear_doors: int
    kind_by_hall: dict[str, str]


@dataclass(frozen=True, slots=True)
class FabricDesign:
    """One folded-Clos (fat-tree / leaf-spine) network."""

    name: str
    switch: str
    radix: int
    oversubscription: float
    rails: int
    n_endpoints: int
    n_tiers: int
    n_leaf: int
    n_spine: int
    n_core: int
    n_cables_node_leaf: int
    n_cables_leaf_spine: int
    n_cables_spine_core: int
    n_cables: int
    n_transceivers: int
    optics_power_kw: float  # informational: inside switch design power and server nameplate
    n_switches: int
    switch_power_kw: float

    @property
    def n_scalable_units(self) -> int:
        """Rail groups of leaves (one leaf per rail per scalable unit)."""
        return self.n_leaf // self.rails if self.rails else 0


@dataclass(frozen=True, slots=True)
class NetworkDesign:
    """The GPU back-end fabric, the front-end/storage network and management."""

    backend: FabricDesign
    frontend: FabricDesign
    n_leaf_switches: int  # back-end
    n_spine_switches: int  # back-end
    n_core_switches: int  # back-end
    n_frontend_switches: int
    n_oob_switches: int
    n_ufm: int
    n_management_servers: int
    n_switches: int
    n_cables: int
    n_transceivers: int
    switch_power_kw: float
    services_power_kw: float
    power_kw: float


@dataclass(frozen=True, slots=True)
class AvailabilityDesign:
    """The power chain and cooling plant's computed availability and the Uptime Tier they meet.

    Downtimes are expected hours per year out of service, ``(1 - A) x 8,760 h``, of each block of
    the reliability diagram (:mod:`aidc.design.availability`) and of the whole facility.
    """

    availability_frac: float
    downtime_h_per_y: float
    source_downtime_h_per_y: float  # utility feed in parallel with the generator plant
    distribution_downtime_h_per_y: float  # transformers, switchgear, UPS with batteries, PDU
    cooling_downtime_h_per_y: float  # chillers, towers, pumps, CDUs, air handlers
    tier_met: int
    tier_target: int
    tier_target_downtime_h_per_y: float  # Uptime Institute's figure for the target Tier


@dataclass(frozen=True, slots=True)
class Check:
    """One limit test: ``value`` against ``limit`` (``sense='max'``: value <= limit)."""

    name: str
    ok: bool
    value: float
    limit: float
    unit: str
    message: str
    sense: Sense = "max"
    kind: CheckKind = "limit"

    @property
    def margin_frac(self) -> float:
        """Spare room as a fraction of the limit (negative when the check fails)."""
        if self.limit == 0:
            return 0.0 if self.ok else -1.0
        gap = self.limit - self.value if self.sense == "max" else self.value - self.limit
        return gap / abs(self.limit)


@dataclass(frozen=True, slots=True)
class Design:
    """A sized facility: fleet, layout, power chain, cooling, network, and its checks."""

    scenario: str
    article: ArticleArithmetic
    fleet: FleetDesign
    layout: LayoutDesign
    power: PowerDesign
    cooling: CoolingDesign
    network: NetworkDesign
    checks: list[Check] = field(default_factory=list)
    binding_limit: str | None = None  # name of the tightest check (smallest margin)
    availability: AvailabilityDesign | None = None  # computed from the power chain and cooling
    # The GPUs a demand needs each year, tenant classes combined by their coincident load
    # (aidc.design.need), and the old sum of each class's peak; None without a demand result.
    gpu_need_by_year: dict[int, float] | None = None
    gpu_sum_of_peaks_by_year: dict[int, float] | None = None

    @property
    def ok(self) -> bool:
        """True when every check passes."""
        return all(c.ok for c in self.checks)

    @property
    def failing(self) -> list[Check]:
        """The checks that fail."""
        return [c for c in self.checks if not c.ok]

    @property
    def limits_by_margin(self) -> list[Check]:
        """The plan and site limits (and any failing check), tightest first."""
        return sorted((c for c in self.checks if c.kind == "limit" or not c.ok), key=lambda c: c.margin_frac)

    @property
    def binding_check(self) -> Check | None:
        """The check named by :attr:`binding_limit`."""
        return next((c for c in self.checks if c.name == self.binding_limit), None)
