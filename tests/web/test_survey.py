"""Institutions: drafts, submission, amendments, history, uploads, limits; nothing is lost."""

from __future__ import annotations

import io

import pytest


def _url(world) -> str:
    return f"/api/rounds/{world.round_id}/submission"


def test_draft_then_submit_then_amend_keeps_every_version(world, valid_answers) -> None:
    c, h = world.client(), world.bearer("institution")
    r = c.put(_url(world), headers=h, json={"answers": valid_answers})
    assert r.status_code == 200
    assert r.json()["status"] == "draft"
    assert r.json()["version"] == 1
    r = c.put(_url(world), headers=h, json={"answers": valid_answers, "submit": True, "expected_version": 1})
    assert r.json()["status"] == "submitted"
    assert r.json()["version"] == 2
    valid_answers["finetuning"][0]["n_runs_per_y"] = 24
    r = c.put(_url(world), headers=h, json={"answers": valid_answers, "submit": True})
    assert r.json()["version"] == 3
    stored = r.json()["answers"]
    # The server stamps who answers: the institution's respondent ID and name, on every sheet.
    rid = f"I{world.institution_ids['institution']:04d}"
    assert stored["respondents"][0]["organisation"] == "Jeonbuk National University"
    assert {row["respondent_id"] for rows in stored.values() for row in rows} == {rid}
    history = c.get(f"{_url(world)}/history", headers=h).json()
    assert [(e["version"], e["action"], e["status"]) for e in history] == [
        (1, "save_draft", "draft"),
        (2, "submit", "submitted"),
        (3, "submit", "submitted"),
    ]
    assert history[1]["answers"]["finetuning"][0]["n_runs_per_y"] == 12
    assert history[2]["answers"]["finetuning"][0]["n_runs_per_y"] == 24
    assert {e["user_email"] for e in history} == {"institution@example.org"}


def test_a_submit_with_an_invalid_cell_is_refused_and_changes_nothing(world, valid_answers) -> None:
    c, h = world.client(), world.bearer("institution")
    c.put(_url(world), headers=h, json={"answers": valid_answers, "submit": True})
    bad = {**valid_answers, "finetuning": [{**valid_answers["finetuning"][0], "deadline_days": "soon"}]}
    r = c.put(_url(world), headers=h, json={"answers": bad, "submit": True})
    assert r.status_code == 422
    problems = [p for p in r.json()["detail"] if p["severity"] == "error"]
    assert [(p["sheet"], p["row"], p["column"]) for p in problems] == [("finetuning", 0, "deadline_days")]
    after = c.get(_url(world), headers=h).json()
    assert after["version"] == 1
    assert after["answers"]["finetuning"][0]["deadline_days"] == 3


def test_a_draft_may_hold_problems_and_says_where(world, valid_answers) -> None:
    c, h = world.client(), world.bearer("institution")
    valid_answers["finetuning"][0]["method"] = "magic"
    r = c.put(_url(world), headers=h, json={"answers": valid_answers})
    assert r.status_code == 200
    assert r.json()["status"] == "draft"
    (p,) = [p for p in r.json()["problems"] if p["severity"] == "error"]
    assert (p["sheet"], p["row"], p["column"], p["found"]) == ("finetuning", 0, "method", "magic")


def test_nothing_to_submit_is_refused(world) -> None:
    r = world.client().put(
        _url(world),
        headers=world.bearer("institution"),
        json={"answers": {"respondents": [{"tenant_class": "university"}]}, "submit": True},
    )
    assert r.status_code == 422
    assert any("nothing to submit" in p["message"] for p in r.json()["detail"])


def test_a_closed_round_refuses_changes(world, valid_answers) -> None:
    c = world.client()
    assert (
        c.post(f"/api/rounds/{world.round_id}/close", headers=world.bearer("planner")).json()["open"] is False
    )
    r = c.put(_url(world), headers=world.bearer("institution"), json={"answers": valid_answers})
    assert r.status_code == 409


def test_a_stale_version_is_refused(world, valid_answers) -> None:
    c, h = world.client(), world.bearer("institution")
    c.put(_url(world), headers=h, json={"answers": valid_answers})
    c.put(_url(world), headers=h, json={"answers": valid_answers})
    r = c.put(_url(world), headers=h, json={"answers": valid_answers, "expected_version": 1})
    assert r.status_code == 409


def _flat_csv(rows: list[dict]) -> bytes:
    import csv

    cols = sorted({k for r in rows for k in r})
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols)
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _upload_rows(deadline: object = 3) -> list[dict]:
    return [
        {
            "sheet": "Respondents",
            "respondent_id": "X1",
            "organisation": "Whatever",
            "tenant_class": "university",
        },
        {
            "sheet": "Fine-tuning",
            "respondent_id": "X1",
            "model_params": "8B",
            "training_tokens": "500M",
            "method": "peft",
            "deadline_days": deadline,
            "n_runs_per_y": 12,
            "start_year": 2028,
        },
    ]


def test_upload_of_a_valid_file_is_stored_as_a_draft(world) -> None:
    c, h = world.client(), world.bearer("institution")
    r = c.post(
        f"{_url(world)}/upload",
        headers=h,
        files={"file": ("answers.csv", _flat_csv(_upload_rows()), "text/csv")},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "draft"
    assert body["answers"]["finetuning"][0]["model_params"] == "8B"
    assert body["answers"]["respondents"][0]["organisation"] == "Jeonbuk National University"


def test_a_failed_upload_leaves_the_previous_answer_intact(world, valid_answers) -> None:
    c, h = world.client(), world.bearer("institution")
    c.put(_url(world), headers=h, json={"answers": valid_answers, "submit": True})
    bad = _flat_csv(_upload_rows(deadline="next week"))
    r = c.post(f"{_url(world)}/upload", headers=h, files={"file": ("answers.csv", bad, "text/csv")})
    assert r.status_code == 422
    assert any(p["column"] and "deadline" in p["column"].lower() for p in r.json()["detail"])
    after = c.get(_url(world), headers=h).json()
    assert after["status"] == "submitted"
    assert after["version"] == 1
    assert after["answers"] == c.get(f"{_url(world)}/history", headers=h).json()[0]["answers"]


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("answers.pdf", b"%PDF-1.4", 415),
        ("answers.xlsx", b"this is not a zip file", 415),
        ("../../etc/passwd.csv", b"x" * (64 * 1024 + 1), 413),
    ],
)
def test_upload_limits_on_type_and_size(world, name: str, content: bytes, status: int) -> None:
    r = world.client().post(
        f"{_url(world)}/upload",
        headers=world.bearer("institution"),
        files={"file": (name, content, "application/octet-stream")},
    )
    assert r.status_code == status


def test_a_damaged_workbook_is_reported_not_crashed(world) -> None:
    r = world.client().post(
        f"{_url(world)}/upload",
        headers=world.bearer("institution"),
        files={"file": ("a.xlsx", b"PK\x03\x04garbage", "application/octet-stream")},
    )
    assert r.status_code == 422
    assert "workbook" in r.json()["detail"][0]["message"]


def test_the_template_round_trips_through_upload(world) -> None:
    c, h = world.client(), world.bearer("institution")
    template = c.get("/survey/template.xlsx", headers=h)
    assert template.status_code == 200
    assert template.content.startswith(b"PK")
    r = c.post(
        f"{_url(world)}/upload", headers=h, files={"file": ("t.xlsx", template.content, "application/x")}
    )
    # The blank template holds only example rows: nothing to store, and it says so.
    assert r.status_code == 422


def test_planner_sees_the_board_and_the_merged_responses(world, valid_answers) -> None:
    c = world.client()
    c.put(_url(world), headers=world.bearer("institution"), json={"answers": valid_answers, "submit": True})
    c.put(_url(world), headers=world.bearer("other"), json={"answers": valid_answers})
    board = c.get(f"/api/rounds/{world.round_id}/board", headers=world.bearer("planner")).json()
    assert {(b["institution"], b["status"]) for b in board} == {
        ("Jeonbuk National University", "submitted"),
        ("Jeonju Startup Hub", "draft"),
    }
    merged = c.get(f"/api/rounds/{world.round_id}/responses", headers=world.bearer("planner")).json()
    assert len(merged["respondents"]) == 1
    assert len(merged["finetuning"]) == 1


def test_the_survey_page_marks_the_invalid_cell(world, valid_answers, sign_in, csrf_of) -> None:
    c = world.client()
    sign_in(c, "institution@example.org")
    csrf = csrf_of(c, f"/survey/{world.round_id}")
    form = {
        "csrf_token": csrf,
        "action": "submit",
        "n-respondents": "1",
        "n-finetuning": "1",
        "cell-respondents-0-tenant_class": "university",
    }
    form |= {f"cell-finetuning-0-{k}": str(v) for k, v in valid_answers["finetuning"][0].items()}
    form["cell-finetuning-0-deadline_days"] = "soon"
    r = c.post(f"/survey/{world.round_id}", data=form)
    assert r.status_code == 422
    assert 'class="bad"' in r.text
    assert "Not submitted" in r.text
    form["cell-finetuning-0-deadline_days"] = "3"
    r = c.post(f"/survey/{world.round_id}", data=form)
    assert r.status_code == 200
    assert "Submitted." in r.text


def _filled_template(tmp_path, deadline: object):
    """The Korean template as an institution fills it: one respondent, one fine-tuning need."""
    import openpyxl

    from aidc.survey import write_template

    path = write_template(tmp_path / "설문.xlsx", "ko")
    wb = openpyxl.load_workbook(path)
    wb["응답기관"].append(["R1", "아무 기관", "대학 (RISE)", None, "ai@example.ac.kr"])
    wb["미세조정"].append(
        ["R1", "8B", "500M", "경량 미세조정 (LoRA)", "BF16", "h100_sxm", deadline, 12, 2028]
    )
    wb.save(path)
    return path.read_bytes()


def test_the_korean_template_filled_in_is_read_with_its_labels(world, tmp_path) -> None:
    c, h = world.client(), world.bearer("institution")
    r = c.post(
        f"{_url(world)}/upload", headers=h, files={"file": ("설문.xlsx", _filled_template(tmp_path, 3), "x")}
    )
    assert r.status_code == 200, r.text
    answers = r.json()["answers"]
    assert answers["respondents"][0]["tenant_class"] == "university"  # the label became the key
    assert answers["finetuning"][0]["method"] == "peft"
    assert answers["respondents"][0]["organisation"] == "Jeonbuk National University"  # not the file's


def test_an_invalid_cell_in_the_workbook_is_located_in_the_file(world, tmp_path) -> None:
    c, h = world.client(), world.bearer("institution")
    bad = _filled_template(tmp_path, "다음 주")
    r = c.post(f"{_url(world)}/upload", headers=h, files={"file": ("설문.xlsx", bad, "x")})
    assert r.status_code == 422
    errors = [p for p in r.json()["detail"] if p["severity"] == "error"]
    assert [(p["sheet"], p["row"]) for p in errors] == [("미세조정", 3)]
    assert c.get(_url(world), headers=h).json()["status"] == "none"


@pytest.mark.parametrize("deadline", ["soon", "3"])
def test_check_and_submit_give_the_same_verdict(world, valid_answers, sign_in, csrf_of, deadline) -> None:
    """"Check" shows exactly the problems a submit refuses for, on the same typed rows."""
    c = world.client()
    sign_in(c, "institution@example.org")
    form = {
        "csrf_token": csrf_of(c, f"/survey/{world.round_id}"),
        "n-respondents": "1",
        "n-finetuning": "1",
        "cell-respondents-0-tenant_class": "university",
    }
    form |= {f"cell-finetuning-0-{k}": str(v) for k, v in valid_answers["finetuning"][0].items()}
    form["cell-finetuning-0-deadline_days"] = deadline
    checked = c.post(f"/survey/{world.round_id}", data=form | {"action": "check"})
    marked_on_check = checked.text.count('class="bad"')
    submitted = c.post(f"/survey/{world.round_id}", data=form | {"action": "submit"})
    assert (submitted.status_code == 422) == (marked_on_check > 0)
    assert submitted.text.count('class="bad"') == marked_on_check
    assert f'value="{deadline}"' in submitted.text  # the typed value is kept after a refused submit


def test_check_of_an_empty_form_says_a_submit_would_be_refused(world, sign_in, csrf_of) -> None:
    c = world.client()
    sign_in(c, "institution@example.org")
    form = {"csrf_token": csrf_of(c, f"/survey/{world.round_id}"), "action": "check",
            "n-respondents": "1", "cell-respondents-0-tenant_class": "university"}
    checked = c.post(f"/survey/{world.round_id}", data=form)
    submitted = c.post(f"/survey/{world.round_id}", data=form | {"action": "submit"})
    assert "there is nothing to submit" in checked.text
    assert submitted.status_code == 422
    assert "there is nothing to submit" in submitted.text
