"""The JSON API answers every input its OpenAPI schema allows without a server error, as documented."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as examples

from app.core.config import Settings
from app.main import create_app


@pytest.mark.slow
def test_api_conforms_to_its_schema(seeded, settings: Settings) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy())
        @examples(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate()

        check()
