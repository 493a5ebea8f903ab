from collections.abc import Iterator

import pytest
from django.conf import LazySettings

from transcripts.engine import EngineResult, ScriptedEngine, Segment, Word, engine_override

HELLO = EngineResult(
    language="en",
    segments=(
        Segment(
            start=0.5,
            end=1.5,
            text="Hello, this is North Wind Energy.",
            words=(Word(start=0.5, end=0.9, text="Hello,"), Word(start=1.0, end=1.5, text="this")),
        ),
    ),
)


@pytest.fixture
def scripted_engine() -> Iterator[ScriptedEngine]:
    """The speech engine of this process, answering HELLO to every recording."""
    with engine_override(ScriptedEngine([HELLO])) as engine:
        yield engine  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _transcripts_settings(settings: LazySettings) -> None:
    settings.TRANSCRIBE_ENGINE = "faster-whisper"
    settings.TRANSCRIBE_MAX_ATTEMPTS = 3
    settings.TRANSCRIBE_RETRY_SECONDS = 30
