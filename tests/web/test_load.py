"""A bounded load test on loopback: many institutions submitting at once lose no submission.

The overload (200 drafts, 50 uploads, 20 runs at once) is in ``test_overload.py``.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx

N_INSTITUTIONS = 50
N_SAVES_EACH = 2  # a draft, then the submission
MAX_TRIES = 20  # a client that is told 503 waits Retry-After and tries again, as a browser's user would


def test_concurrent_institutions_lose_no_submission(live_server, valid_answers) -> None:
    url, w = live_server.url, live_server.world
    hp = w.bearer("planner")
    with httpx.Client(base_url=url, timeout=120) as c:
        tokens = []
        for i in range(N_INSTITUTIONS):
            inv = c.post(
                f"/api/rounds/{w.round_id}/invitations",
                headers=hp,
                json={"institution": f"Load Institution {i:02d}", "email": f"load{i}@example.org"},
            ).json()
            r = c.post(
                f"/api/invitations/{inv['url'].rsplit('/', 1)[1]}/accept", json={"password": "load test pw"}
            )
            tokens.append(r.json()["access_token"])

    def answer(i: int) -> list[int]:
        body = {**valid_answers, "finetuning": [{**valid_answers["finetuning"][0], "n_runs_per_y": i + 1}]}
        final = []
        with httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {tokens[i]}"}) as c:
            for submit in (False, True):
                for _ in range(MAX_TRIES):
                    r = c.put(f"/api/rounds/{w.round_id}/submission",
                              json={"answers": body, "submit": submit})
                    if r.status_code != 503:  # overload degrades to 503 + Retry-After, never to an error
                        break
                    time.sleep(float(r.headers["Retry-After"]))
                final.append(r.status_code)
        return final

    with ThreadPoolExecutor(max_workers=N_INSTITUTIONS) as pool:
        statuses = list(pool.map(answer, range(N_INSTITUTIONS)))
    assert statuses == [[200] * N_SAVES_EACH] * N_INSTITUTIONS

    with httpx.Client(base_url=url, timeout=120, headers=hp) as c:
        board = {b["institution"]: b for b in c.get(f"/api/rounds/{w.round_id}/board").json()}
        merged = c.get(f"/api/rounds/{w.round_id}/responses").json()
        for i in range(N_INSTITUTIONS):
            row = board[f"Load Institution {i:02d}"]
            assert row["status"] == "submitted"
            history = c.get(
                f"/api/rounds/{w.round_id}/submission/history",
                params={"institution_id": row["institution_id"]},
            ).json()
            assert [e["version"] for e in history] == list(range(1, N_SAVES_EACH + 1))
    # Every institution's own answer, once: the n_runs_per_y values 1..50 each appear exactly once.
    assert sorted(r["n_runs_per_y"] for r in merged["finetuning"]) == list(range(1, N_INSTITUTIONS + 1))
