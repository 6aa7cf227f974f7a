from tests.support.fixtures import assistant, postgres_url, slack, start_bot  # noqa: F401
