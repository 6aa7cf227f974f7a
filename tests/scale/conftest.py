from collections.abc import Iterator

import pytest

from tests.support.chroma import ChromaUnavailable, chroma_server
from tests.support.fixtures import assistant, postgres_url, slack, start_bot  # noqa: F401


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `chroma run` server for this module; its tests skip, saying why, if none starts."""
    try:
        with chroma_server(tmp_path_factory.mktemp("chroma") / "db") as url:
            yield url
    except ChromaUnavailable as exc:
        pytest.skip(f"no local Chroma server: {exc}")
