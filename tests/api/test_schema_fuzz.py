"""A bounded schemathesis run over every operation of the OpenAPI schema: whatever it sends,
as an admin and as an investigator, the service never answers with a server error."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings

from tessera.server import create_app
from tests.api.conftest import build_world

EXAMPLES_PER_OPERATION = 15


def test_no_server_errors(tmp_path: Path) -> None:
    config, _, _, tokens = build_world(tmp_path / "home", None)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json",
                                            create_app(config, run_tasks=False))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_server_error(case) -> None:  # type: ignore[no-untyped-def]
            for user in ("root", "nl.inv"):
                response = case.call(headers={"authorization": f"Bearer {tokens[user]}"})
                assert response.status_code < 500, (user, case.method, case.formatted_path,
                                                    response.content[:300])
                assert b"Traceback" not in response.content  # pictures are bytes, not text

        no_server_error()
