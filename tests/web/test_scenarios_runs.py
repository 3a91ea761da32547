"""Planners: scenarios (validated by the library), background runs, failures, comparison."""

from __future__ import annotations

import time

from aidc.scenario import load_scenario


def _wait(c, h, run_id: int) -> dict:
    for _ in range(400):
        run = c.get(f"/api/runs/{run_id}", headers=h).json()
        if run["status"] in ("done", "failed"):
            return run
        time.sleep(0.05)
    raise AssertionError("run did not finish")


def test_scenario_round_trips_through_the_api(planner_world) -> None:
    c, h = planner_world.client(), planner_world.bearer("planner")
    sid = planner_world.tokens["scenario"]
    got = c.get(f"/api/scenarios/{sid}", headers=h).json()
    assert got["scenario"] == load_scenario().model_dump(mode="json")
    assert got["version"] == 1
    got["scenario"]["power"]["it_capacity_kw"] = 6000
    r = c.put(f"/api/scenarios/{sid}", headers=h, json={"name": "phase1", "scenario": got["scenario"]})
    assert r.status_code == 200
    assert r.json()["version"] == 2
    assert r.json()["scenario"]["power"]["it_capacity_kw"] == 6000


def test_an_invalid_scenario_is_refused_by_field(planner_world) -> None:
    c, h = planner_world.client(), planner_world.bearer("planner")
    body = load_scenario().model_dump(mode="json")
    body["site"]["max_floors"] = -1
    r = c.post("/api/scenarios", headers=h, json={"name": "bad", "scenario": body})
    assert r.status_code == 422
    assert any(e["loc"][-2:] == ["site", "max_floors"] for e in r.json()["detail"])


def test_the_edit_page_shows_errors_by_field_and_keeps_the_stored_scenario(
    planner_world, sign_in, csrf_of
) -> None:
    c = planner_world.client()
    sign_in(c, "planner@example.org")
    sid = planner_world.tokens["scenario"]
    csrf = csrf_of(c, f"/scenarios/{sid}")
    r = c.post(f"/scenarios/{sid}", data={"csrf_token": csrf, "yaml_text": "name: x\nsite:\n  floorz: 3\n"})
    assert r.status_code == 422
    assert "site.floorz" in r.text
    assert "unknown key" in r.text
    assert c.get(f"/api/scenarios/{sid}", headers=planner_world.bearer("planner")).json()["version"] == 1


def test_a_run_reports_progress_and_results(planner_world) -> None:
    c, h = planner_world.client(), planner_world.bearer("planner")
    run = _wait(c, h, int(planner_world.tokens["run"]))
    assert run["status"] == "done"
    assert run["progress_frac"] == 1.0
    assert {"demand-1", "timings"} <= set(run["result"]["figures"])
    assert run["result"]["summary"]["design"] == {"n_gpus": 512, "it_power_kw": 800.0}
    assert run["result"]["tables"]["demand.by_year"]["n_rows"] == 3
    assert run["result"]["missing"] == {
        "service": "the scenario states no service levels (simulation.service_levels)"}


def test_a_crashing_run_is_marked_failed_and_the_server_keeps_serving(planner_world) -> None:
    def crash(scenario, on_stage):
        on_stage("survey", "start")
        raise ZeroDivisionError("boom in the model")

    planner_world.app.state.worker.run_function = crash
    c, h = planner_world.client(), planner_world.bearer("planner")
    sid = planner_world.tokens["scenario"]
    run = _wait(c, h, c.post(f"/api/scenarios/{sid}/runs", headers=h).json()["id"])
    assert run["status"] == "failed"
    assert "ZeroDivisionError: boom in the model" in run["error"]
    assert c.get("/api/runs", headers=h).status_code == 200


def test_runs_left_unfinished_are_marked_failed_on_restart(planner_world) -> None:
    from aidc.web.db import Run

    with planner_world.app.state.sessions.begin() as s:
        s.add(
            Run(scenario_id=int(planner_world.tokens["scenario"]), scenario_yaml="name: x", status="running")
        )
    assert planner_world.app.state.worker.recover() == 1


def test_compare_two_scenarios(planner_world) -> None:
    c, h = planner_world.client(), planner_world.bearer("planner")
    body = load_scenario("jeonbuk-ai").model_dump(mode="json")
    other = c.post("/api/scenarios", headers=h, json={"name": "ai", "scenario": body}).json()
    cmp = c.get(
        "/api/compare", headers=h, params={"a": planner_world.tokens["scenario"], "b": other["id"]}
    ).json()
    assert cmp["a"]["run_id"] == int(planner_world.tokens["run"])
    assert cmp["b"]["run_id"] is None
    assert any(d["field"].startswith("fleet") for d in cmp["inputs_differ"])


def test_a_scenario_linked_to_a_round_runs_on_its_submitted_answers(
    planner_world, valid_answers, sign_in
) -> None:
    def capture(scenario, on_stage):
        # Runs execute in another process: what the run saw comes back in its result.
        from aidc.survey import read

        table = read(scenario.demand.survey)
        seen = {"respondents": len(table.respondents), "finetuning": len(table.needs["finetuning"])}
        return type("R", (), {"survey": type("S", (), {"summary": seen})()})()

    w = planner_world
    c, h = w.client(), w.bearer("planner")
    c.put(
        f"/api/rounds/{w.round_id}/submission",
        headers=w.bearer("institution"),
        json={"answers": valid_answers, "submit": True},
    )
    sid = w.tokens["scenario"]
    got = c.get(f"/api/scenarios/{sid}", headers=h).json()
    c.put(
        f"/api/scenarios/{sid}",
        headers=h,
        json={"name": "phase1", "scenario": got["scenario"], "survey_round_id": w.round_id},
    )
    demand = c.get(f"/api/scenarios/{sid}/demand", headers=h).json()
    assert demand["n_institutions"] == 1
    assert demand["rows_by_tenant_class"] == {"university": {"finetuning": 1}}
    by_year = dict(
        zip(demand["by_year"]["columns"], zip(*demand["by_year"]["rows"], strict=True), strict=True)
    )
    # The fine-tuning need starts in 2028: no GPU-hours before, some from then on.
    hours = dict(zip(by_year["year"], by_year["gpu_hours"], strict=True))
    assert all((h > 0) == (year >= 2028) for year, h in hours.items())
    browser = w.client()
    sign_in(browser, "planner@example.org")
    assert 'id="demand-by-year"' in browser.get(f"/scenarios/{sid}").text
    w.app.state.worker.run_function = capture
    run = _wait(c, h, c.post(f"/api/scenarios/{sid}/runs", headers=h).json()["id"])
    assert run["status"] == "done", run["error"]
    assert run["result"]["summary"]["survey"] == {"respondents": 1, "finetuning": 1}


def test_a_scenario_may_not_name_a_server_file(planner_world, sign_in, csrf_of) -> None:
    c, h = planner_world.client(), planner_world.bearer("planner")
    body = load_scenario().model_dump(mode="json")
    body["demand"]["survey"] = "/etc/passwd"
    r = c.post("/api/scenarios", headers=h, json={"name": "sneaky", "scenario": body})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-2:] == ["demand", "survey"]
    sign_in(c, "planner@example.org")
    sid = planner_world.tokens["scenario"]
    yaml_text = c.get(f"/api/scenarios/{sid}", headers=h).json()
    from aidc.scenario import Scenario, dump_scenario

    scenario = Scenario.model_validate(yaml_text["scenario"])
    text = dump_scenario(scenario).replace("energy:\n", "energy:\n  weather: /etc/shadow\n", 1)
    r = c.post(f"/scenarios/{sid}", data={"csrf_token": csrf_of(c, f"/scenarios/{sid}"), "yaml_text": text})
    assert r.status_code == 422
    assert "energy.weather" in r.text


def test_a_run_on_the_dask_cluster_named_in_the_settings(planner_world) -> None:
    from dataclasses import replace

    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        worker = planner_world.app.state.worker
        worker.settings = replace(worker.settings, dask_scheduler=cluster.scheduler_address)
        c, h = planner_world.client(), planner_world.bearer("planner")
        run = _wait(
            c, h, c.post(f"/api/scenarios/{planner_world.tokens['scenario']}/runs", headers=h).json()["id"]
        )
        worker._dask.close()
        worker._dask = None
    assert run["status"] == "done", run["error"]
    assert run["result"]["summary"]["design"] == {"n_gpus": 512, "it_power_kw": 800.0}  # FakeResult's
