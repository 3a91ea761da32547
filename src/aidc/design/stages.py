"""Stage functions: each assembles the model functions for one part of the design.

They take the scenario (or what earlier parts produced) and return result dataclasses;
:func:`aidc.design.size` calls them in order.
"""

from __future__ import annotations

from aidc.design import building, cooling, fleet, network, power, racks
from aidc.design.catalog import DesignCatalog
from aidc.design.results import (
    CoolingDesign,
    FabricDesign,
    FleetDesign,
    HallDesign,
    LayoutDesign,
    NetworkDesign,
    PowerDesign,
    RackGroup,
)
from aidc.errors import InputError
from aidc.scenario import Hall, Scenario, ServerType

# ---------------------------------------------------------------------------------------
# Fleet


def hall_of_server_types(scenario: Scenario, types: list[str]) -> dict[str, Hall]:
    """Place each server type in the first hall that names it, else in the first catch-all hall."""
    halls = scenario.facility.halls
    catch_all = next((h for h in halls if h.server_types is None), None)
    placed: dict[str, Hall] = {}
    for key in types:
        hall = next((h for h in halls if h.server_types and key in h.server_types), catch_all)
        if hall is None:
            raise InputError.single(
                f"server type '{key}' is in the fleet but in no hall",
                field="facility.halls", found=key,
                expected="a hall listing it in server_types, or a hall without server_types",
            )
        placed[key] = hall
    return placed


def fleet_counts(scenario: Scenario, catalog: dict[str, ServerType],
                 server_budget_kw: float) -> dict[str, int]:
    """Server counts: the given ones, or those a mix buys with ``server_budget_kw``."""
    if scenario.fleet.servers is not None:
        return dict(scenario.fleet.servers)
    assert scenario.fleet.mix is not None  # the schema guarantees one of the two
    return fleet.servers_from_mix(server_budget_kw, scenario.fleet.mix, catalog)


def fleet_design(scenario: Scenario, counts: dict[str, int], catalog: dict[str, ServerType],
                 network_power_kw: float) -> FleetDesign:
    """Sum the fleet: GPUs, vCPUs, storage and power by type."""
    by_type_kw = {k: n * catalog[k].power_max_w / 1000.0 for k, n in counts.items()}
    gpus_by_model: dict[str, int] = {}
    for k, n in counts.items():
        s = catalog[k]
        if s.n_gpus and n:
            model = s.gpu_model or k
            gpus_by_model[model] = gpus_by_model.get(model, 0) + n * s.n_gpus
    server_kw = sum(by_type_kw.values())
    return FleetDesign(
        servers=counts,
        n_gpus=sum(gpus_by_model.values()),
        n_gpus_by_model=gpus_by_model,
        gpus_per_node={k: catalog[k].n_gpus for k in counts if catalog[k].n_gpus},
        it_power_kw=server_kw + network_power_kw,
        server_power_kw=server_kw,
        server_power_by_type_kw=by_type_kw,
        storage_power_kw=sum(v for k, v in by_type_kw.items() if catalog[k].kind == "storage"),
        network_power_kw=network_power_kw,
        it_capacity_kw=scenario.power.it_capacity_kw,
        network_in_it_capacity=scenario.facility.network_in_it_capacity,
        n_servers=sum(counts.values()),
        n_vcpus=sum(n * catalog[k].n_vcpus for k, n in counts.items()),
        storage_tb=sum(n * catalog[k].storage_tb for k, n in counts.items()),
    )


# ---------------------------------------------------------------------------------------
# Network (switch counts; the out-of-band switches follow the rack count)


def fabrics(scenario: Scenario, counts: dict[str, int], catalog: dict[str, ServerType],
            cat: DesignCatalog) -> tuple[FabricDesign, FabricDesign]:
    """Size the GPU back-end fabric and the front-end/storage network."""
    fac = scenario.facility
    backend_ports = sum(n * catalog[k].n_backend_ports for k, n in counts.items())
    rails = max((catalog[k].n_backend_ports for k, n in counts.items() if n), default=1) or 1
    ufm_links = network.manager_links(backend_ports, int(cat.services["ufm_fabric_links"]),
                                      cat.switches[fac.backend_switch].radix,
                                      fac.backend_oversubscription, rails)
    backend = network.size_fabric("backend", backend_ports + ufm_links, fac.backend_switch,
                                  fac.backend_oversubscription, rails, cat)
    frontend_ports = sum(n * catalog[k].n_frontend_ports for k, n in counts.items())
    frontend = network.size_fabric("frontend", frontend_ports, fac.frontend_switch,
                                   fac.frontend_oversubscription, 1, cat)
    return backend, frontend


def network_design(backend: FabricDesign, frontend: FabricDesign, n_racks_total: int,
                   cat: DesignCatalog) -> NetworkDesign:
    """Add out-of-band management (one switch per rack) and fabric services; total the power."""
    svc = cat.services
    has_backend = backend.n_endpoints > 0
    n_ufm = int(svc["ufm_per_fabric"]) if has_backend else 0
    n_mgmt = int(svc["management_servers_per_fabric"]) if has_backend else 0
    oob = cat.switches["sn2201"]
    services_kw = n_ufm * svc["ufm_power_kw"] + n_mgmt * svc["management_server_kw"]
    switch_kw = backend.switch_power_kw + frontend.switch_power_kw + n_racks_total * oob.power_design_kw
    return NetworkDesign(
        backend=backend, frontend=frontend,
        n_leaf_switches=backend.n_leaf, n_spine_switches=backend.n_spine, n_core_switches=backend.n_core,
        n_frontend_switches=frontend.n_switches, n_oob_switches=n_racks_total,
        n_ufm=n_ufm, n_management_servers=n_mgmt,
        n_switches=backend.n_switches + frontend.n_switches + n_racks_total,
        n_cables=backend.n_cables + frontend.n_cables,
        n_transceivers=backend.n_transceivers + frontend.n_transceivers,
        switch_power_kw=switch_kw, services_power_kw=services_kw, power_kw=switch_kw + services_kw,
    )


# ---------------------------------------------------------------------------------------
# Racks and halls


def rack_limit_kw(scenario: Scenario, hall: Hall, cat: DesignCatalog) -> float:
    """Rack power limit of a hall: the scenario's, else its cooling kind's."""
    return scenario.facility.rack_power_max_kw or float(cat.kinds[hall.cooling].rack_power_max_kw)


def rack_group(scenario: Scenario, hall: Hall, content: str, n_units: int, unit_kw: float,
               unit_u: int, unit_kg: float, cat: DesignCatalog) -> RackGroup:
    """Rack ``n_units`` identical units in ``hall``: per-rack count, the limit that binds, loading."""
    fac, r = scenario.facility, cat.racks
    limit_kw = rack_limit_kw(scenario, hall, cat)
    by = {
        "power": racks.units_per_rack_by_power(limit_kw, unit_kw),
        "space": racks.units_per_rack_by_space(fac.rack_units_usable, unit_u),
        "weight": racks.units_per_rack_by_weight(fac.rack_weight_max_kg, r["rack_fitout_weight_kg"], unit_kg),
    }
    per_rack = int(racks.units_per_rack(by["power"], by["space"], by["weight"]))
    weight = float(racks.rack_weight_kg(per_rack, unit_kg, r["rack_fitout_weight_kg"]))
    pitch = racks.rack_pitch_m2(r["rack_width_m"], r["rack_depth_m"], r["cold_aisle_m"], r["hot_aisle_m"])
    return RackGroup(
        hall=hall.name, content=content, n_units=n_units, units_per_rack=per_rack,
        n_racks=int(racks.n_racks(n_units, per_rack)), rack_power_kw=per_rack * unit_kw,
        rack_weight_kg=weight, limited_by=min(by, key=lambda k: by[k]),
        floor_loading_kg_per_m2=float(racks.floor_loading_kg_per_m2(weight, pitch)), unit_power_kw=unit_kw,
    )


def server_rack_groups(scenario: Scenario, counts: dict[str, int], catalog: dict[str, ServerType],
                       placed: dict[str, Hall], cat: DesignCatalog) -> list[RackGroup]:
    """One rack group per server type (types are not mixed within a rack)."""
    return [
        rack_group(scenario, placed[k], k, n, catalog[k].power_max_w / 1000.0, catalog[k].rack_units,
                   catalog[k].weight_kg, cat)
        for k, n in counts.items() if n > 0
    ]


def network_rack_groups(scenario: Scenario, backend: FabricDesign, frontend: FabricDesign,
                        counts: dict[str, int], catalog: dict[str, ServerType], placed: dict[str, Hall],
                        cat: DesignCatalog) -> list[RackGroup]:
    """Network racks: each fabric's switches in the hall holding most of its endpoints."""
    groups = []
    for fabric, ports in ((backend, "n_backend_ports"), (frontend, "n_frontend_ports")):
        if fabric.n_switches == 0:
            continue
        weight = {k: n * getattr(catalog[k], ports) for k, n in counts.items()}
        hall = placed[max(weight, key=lambda k: weight[k])]
        sw = cat.switches[fabric.switch]
        groups.append(rack_group(scenario, hall, f"network:{fabric.name}", fabric.n_switches,
                                 sw.power_design_kw, sw.rack_units, sw.weight_kg, cat))
    return groups


def hall_designs(scenario: Scenario, groups: list[RackGroup], network_kw_by_hall: dict[str, float],
                 cat: DesignCatalog) -> tuple[HallDesign, ...]:
    """Sum rack groups per hall: racks, rows, white space, IT load."""
    r = cat.racks
    pitch = racks.rack_pitch_m2(r["rack_width_m"], r["rack_depth_m"], r["cold_aisle_m"], r["hot_aisle_m"])
    out = []
    for hall in scenario.facility.halls:
        mine = [g for g in groups if g.hall == hall.name]
        n = sum(g.n_racks for g in mine)
        per_rack_m2 = float(racks.white_space_m2_per_rack(pitch, cat.kinds[hall.cooling].hall_allowance_frac))
        servers_kw = sum(g.n_units * g.unit_power_kw for g in mine if not g.is_network)
        out.append(HallDesign(
            name=hall.name, cooling=hall.cooling, rack_power_max_kw=rack_limit_kw(scenario, hall, cat),
            server_types=tuple(g.content for g in mine if not g.is_network),
            n_racks=n, n_network_racks=sum(g.n_racks for g in mine if g.is_network),
            n_rows=int(racks.n_rows(n, scenario.facility.racks_per_row_max)),
            white_space_m2=n * per_rack_m2, white_space_m2_per_rack=per_rack_m2,
            it_power_kw=servers_kw + network_kw_by_hall.get(hall.name, 0.0),
        ))
    return tuple(out)


# ---------------------------------------------------------------------------------------
# Power chain and cooling (solved together: cooling power feeds the transformers)


def power_and_cooling(scenario: Scenario, halls: tuple[HallDesign, ...], it_kw: float,
                      cat: DesignCatalog) -> tuple[PowerDesign, CoolingDesign]:
    """Size the power chain and the cooling plant for the IT load ``it_kw`` at design peak."""
    fac, el, co = scenario.facility, cat.electrical, cat.cooling
    pdu_loss = power.conversion_loss_kw(it_kw, el["pdu_efficiency_frac"])
    ups_load = it_kw + pdu_loss
    ups_loss = power.conversion_loss_kw(ups_load, el["ups_efficiency_frac"])
    other = power.other_power_kw(it_kw, el["other_power_frac"])

    kinds = {h.name: cat.kinds[h.cooling] for h in halls}
    liquid = sum(cooling.liquid_heat_kw(h.it_power_kw, kinds[h.name].liquid_capture_frac) for h in halls)
    fans = sum(cooling.room_fan_power_kw(h.it_power_kw, kinds[h.name].room_fan_frac) for h in halls)
    chiller_load = it_kw - liquid + fans + pdu_loss + ups_loss + other
    compressor = cooling.compressor_power_kw(chiller_load, co["chiller_cop"])
    heat = cooling.tower_heat_kw(chiller_load, compressor, liquid)
    aux = cooling.plant_aux_power_kw(heat, co["plant_aux_frac"])
    cooling_kw = compressor + fans + aux

    xfmr_out = ups_load + ups_loss + cooling_kw + other
    xfmr_loss = power.conversion_loss_kw(xfmr_out, el["transformer_efficiency_frac"])
    peak = xfmr_out + xfmr_loss
    contract = scenario.power.grid_contract_kw

    n_ups = power.units_required(ups_load, el["ups_module_kw"])
    xfmr_kva = power.apparent_power_kva(xfmr_out, el["power_factor"])
    n_xfmr = power.units_required(xfmr_kva, el["transformer_kva"])
    n_gen = power.units_required(peak, el["generator_kw"])
    pw = PowerDesign(
        it_design_kw=it_kw, pdu_loss_kw=pdu_loss, ups_loss_kw=ups_loss, transformer_loss_kw=xfmr_loss,
        loss_kw=pdu_loss + ups_loss + xfmr_loss, cooling_power_kw=cooling_kw, other_power_kw=other,
        facility_peak_kw=peak, grid_contract_kw=contract if contract is not None else peak,
        grid_contract_given=contract is not None,
        n_pdus=power.units_installed(power.units_required(it_kw, el["pdu_capacity_kw"]), fac.ups_redundancy),
        pdu_kw=el["pdu_capacity_kw"], ups_redundancy=fac.ups_redundancy, ups_load_kw=ups_load,
        n_ups_modules_required=n_ups, n_ups_modules=power.units_installed(n_ups, fac.ups_redundancy),
        ups_module_kw=el["ups_module_kw"],
        ups_installed_kw=power.units_installed(n_ups, fac.ups_redundancy) * el["ups_module_kw"],
        n_transformers_required=n_xfmr, n_transformers=power.units_installed(n_xfmr, fac.ups_redundancy),
        transformer_kva=el["transformer_kva"], generator_redundancy=fac.generator_redundancy,
        n_generators_required=n_gen, n_generators=power.units_installed(n_gen, fac.generator_redundancy),
        generator_kw=el["generator_kw"],
    )
    red = fac.cooling_redundancy
    n_ch = power.units_required(chiller_load, cat.chiller_kw)
    n_ct = power.units_required(heat, co["cooling_tower_kw"])
    dlc_kw = sum(h.it_power_kw for h in halls if h.cooling == "direct_liquid")
    air_kw = sum(h.it_power_kw for h in halls if h.cooling == "air")
    cl = CoolingDesign(
        design_pue=cooling.pue(peak, it_kw), heat_rejected_kw=heat, chiller_load_kw=chiller_load,
        liquid_heat_kw=liquid, compressor_power_kw=compressor, room_fan_power_kw=fans,
        plant_aux_power_kw=aux, cooling_power_kw=cooling_kw, chiller_cop=co["chiller_cop"],
        cooling_redundancy=red, chiller_kw=cat.chiller_kw, n_chillers_required=n_ch,
        n_chillers=power.units_installed(n_ch, red), cooling_tower_kw=co["cooling_tower_kw"],
        n_cooling_towers_required=n_ct, n_cooling_towers=power.units_installed(n_ct, red),
        cdu_kw=co["cdu_kw"],
        n_cdus=power.units_installed(power.units_required(dlc_kw, co["cdu_kw"]), red) if dlc_kw else 0,
        crah_kw=co["crah_kw"],
        n_crahs=power.units_installed(power.units_required(air_kw, co["crah_kw"]), red) if air_kw else 0,
        n_rear_doors=sum(h.n_racks for h in halls if h.cooling == "rear_door"),
        kind_by_hall={h.name: h.cooling for h in halls},
    )
    return pw, cl


# ---------------------------------------------------------------------------------------
# Building on the site


def layout_design(scenario: Scenario, halls: tuple[HallDesign, ...], groups: list[RackGroup],
                  pw: PowerDesign, cl: CoolingDesign, cat: DesignCatalog) -> LayoutDesign:
    """White, grey and support space; floors, footprint and yard on the site."""
    b, site = cat.building, scenario.site
    white = sum(h.white_space_m2 for h in halls)
    electrical = pw.ups_installed_kw * b["electrical_room_m2_per_kw"]
    mechanical = cl.n_chillers * cl.chiller_kw * b["mechanical_room_m2_per_kw"]
    support = white * b["support_space_frac"]
    net = white + electrical + mechanical + support
    gfa = building.gross_floor_area_m2(net, b["core_frac"])
    area = site.site_area_m2
    buildable = building.buildable_area_m2(area, b["setback_m"])
    plant_yard = pw.n_generators * b["generator_yard_m2_per_unit"] + b["substation_m2"]
    fp_max = building.footprint_limit_m2(area, site.coverage_limit_frac, buildable, plant_yard)
    if fp_max <= 0:  # the plant yard fills the plot: its check fails and says so; floors are
        fp_max = area * site.coverage_limit_frac  # still counted on the coverage limit
    floors = building.floors_used(building.floors_needed(gfa, fp_max))
    footprint = gfa / floors
    return LayoutDesign(
        n_racks=sum(h.n_racks for h in halls), n_network_racks=sum(h.n_network_racks for h in halls),
        n_rows=sum(h.n_rows for h in halls), halls=halls, rack_groups=tuple(groups),
        white_space_m2=white, electrical_room_m2=electrical, mechanical_room_m2=mechanical,
        grey_space_m2=electrical + mechanical, support_space_m2=support, core_m2=gfa - net,
        gross_floor_area_m2=gfa, site_area_m2=area, building_footprint_m2=footprint,
        footprint_max_m2=fp_max,
        gross_floor_area_max_m2=building.gross_floor_area_max_m2(area, site.floor_area_ratio_limit_frac),
        floors_used=floors, floors_allowed=site.max_floors, building_height_m=floors * site.floor_height_m,
        rack_power_max_kw=max((g.rack_power_kw for g in groups), default=0.0),
        rack_weight_max_kg=max((g.rack_weight_kg for g in groups), default=0.0),
        floor_loading_kg_per_m2=max((g.floor_loading_kg_per_m2 for g in groups), default=0.0),
        generator_yard_m2=plant_yard,
        yard_available_m2=buildable - footprint,
        roof_plant_m2=cl.n_cooling_towers * b["cooling_tower_m2_per_unit"],
        gross_floor_area_m2_per_kw=gfa / pw.it_design_kw,
        site_it_capacity_kw=building.site_it_capacity_kw(
            pw.it_design_kw, gfa, site.max_floors, fp_max,
            building.gross_floor_area_max_m2(area, site.floor_area_ratio_limit_frac)),
    )
