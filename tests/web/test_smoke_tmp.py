from conftest import VALID_ANSWERS

def test_flow(world):
    c = world.client()
    r = c.put(f"/api/rounds/{world.round_id}/submission", headers=world.bearer("institution"),
              json={"answers": VALID_ANSWERS, "submit": True})
    print(r.status_code, r.json())
    assert r.status_code == 200
