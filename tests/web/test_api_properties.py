"""Property-based API tests generated from the OpenAPI description (schemathesis): whatever the
body, parameters or role, the service never answers with a server error (5xx)."""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, given, settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # schemathesis imports Starlette's TestClient (httpx notice)
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.result import Ok

#: Examples per operation; each is sent as admin, planner and institution.
N_EXAMPLES = 3


def test_no_server_error_for_any_operation_and_role(planner_world) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_asgi("/openapi.json", planner_world.app)
    results = list(schema.get_all_operations())
    assert [r for r in results if not isinstance(r, Ok)] == []  # every operation's schema is usable
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) >= 25

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=N_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case) -> None:
            for role in ("admin", "planner", "institution"):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    case.call_and_validate(headers=planner_world.bearer(role), checks=[not_a_server_error])

        check()
