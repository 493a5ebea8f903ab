"""The speech engine behind a small interface: decoded audio in, segments with words out.

`FasterWhisperEngine` runs a CTranslate2 Whisper model with faster-whisper on the machine
itself: no audio leaves it, and no model is ever downloaded (HF_HUB_OFFLINE, local files only).
`ScriptedEngine` answers what a test scripted. A worker loads its engine once, at start
(`engine_load`), so a missing or broken model stops the worker with a message instead of
failing every job; jobs take it with `engine_get`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Samples = npt.NDArray[np.float32]

logger = logging.getLogger(__name__)

# Models are files the operator installed; the Hugging Face hub must never fetch one.
os.environ["HF_HUB_OFFLINE"] = "1"

SAMPLE_RATE = 16_000
ProgressCallback = Callable[[float], None]


class EngineUnavailableError(Exception):
    """Transcripts cannot be made here: the message says why and what to do, for a person."""


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class EngineResult:
    # The language heard ("fr", "en"...), or "" when there was nothing to hear.
    language: str
    segments: tuple[Segment, ...] = field(default_factory=tuple)


class TranscriptionEngine(Protocol):
    # What made the transcript, kept with it ("whisper-base", the model directory's name).
    name: str

    def transcribe(
        self, audio: Samples, *, language: str | None, progress: ProgressCallback | None = None
    ) -> EngineResult:
        """The words in `audio` (mono float32 samples at SAMPLE_RATE, -1..1), in `language`
        (a code) or the one detected when None. `progress` is called with 0..1 as it goes."""
        ...


class FasterWhisperEngine:
    """faster-whisper on the CPU, with word timestamps and voice-activity filtering (silence
    and the other party's channel are skipped rather than hallucinated over)."""

    def __init__(self, *, model_dir: Path, name: str, threads: int, compute_type: str) -> None:
        from faster_whisper import WhisperModel

        self.name = name
        self._model = WhisperModel(
            str(model_dir),
            device="cpu",
            compute_type=compute_type,
            cpu_threads=threads,
            num_workers=1,
            local_files_only=True,
        )

    def transcribe(
        self, audio: Samples, *, language: str | None, progress: ProgressCallback | None = None
    ) -> EngineResult:
        pieces, info = self._model.transcribe(
            audio,
            language=language or None,
            word_timestamps=True,
            vad_filter=True,
            # Each window on its own: a phrase misheard once is not carried into the next.
            condition_on_previous_text=False,
        )
        segments = []
        for piece in pieces:
            words = tuple(
                Word(start=round(w.start, 2), end=round(w.end, 2), text=w.word.strip())
                for w in piece.words or ()
                if w.word.strip()
            )
            text = piece.text.strip()
            if text:
                segments.append(
                    Segment(
                        start=round(piece.start, 2), end=round(piece.end, 2), text=text, words=words
                    )
                )
            if progress is not None and info.duration:
                progress(min(1.0, piece.end / info.duration))
        return EngineResult(language=info.language if segments else "", segments=tuple(segments))


class ScriptedEngine:
    """An engine that answers from a script, for tests: `results` in turn (the last one
    again when they run out), or an exception to raise; `calls` records what it was given."""

    def __init__(self, results: Sequence[EngineResult | BaseException], *, name: str = "scripted"):
        self.name = name
        self._results = list(results)
        self.calls: list[tuple[int, str | None]] = []

    def transcribe(
        self, audio: Samples, *, language: str | None, progress: ProgressCallback | None = None
    ) -> EngineResult:
        self.calls.append((len(audio), language))
        result = self._results.pop(0) if len(self._results) > 1 else self._results[0]
        if isinstance(result, BaseException):
            raise result
        if progress is not None:
            progress(1.0)
        return result


# --- The process's engine ------------------------------------------------------------------

_engine: TranscriptionEngine | None = None
_override: TranscriptionEngine | None = None
_lock = threading.Lock()


def transcripts_off_reason() -> str | None:
    """Why transcripts are off on this installation, for pages and the worker; None when on."""
    if settings.TRANSCRIBE_ENGINE == "off":
        return "Transcripts are turned off on this dashboard (TRANSCRIBE_ENGINE=off)."
    if _override is not None:
        return None
    if importlib.util.find_spec("faster_whisper") is None:
        return (
            "Transcripts are off: the speech engine is not installed (pip install '.[transcribe]')."
        )
    return None


def engine_load() -> TranscriptionEngine:
    """Load the engine and its model once per process (a worker, at start); later calls
    return it. EngineUnavailableError says why it cannot be loaded."""
    global _engine
    if _override is not None:
        return _override
    with _lock:
        if _engine is None:
            _engine = _engine_build()
        return _engine


def engine_get() -> TranscriptionEngine:
    """The engine for a job: the one loaded at the worker's start (or loaded now)."""
    return engine_load()


def _engine_build() -> TranscriptionEngine:
    from transcripts.model_files import model_directory_ready

    reason = transcripts_off_reason()
    if reason is not None:
        raise EngineUnavailableError(reason)
    model_dir, name = model_directory_ready()
    try:
        engine = FasterWhisperEngine(
            model_dir=model_dir,
            name=name,
            threads=settings.TRANSCRIBE_THREADS,
            compute_type=settings.TRANSCRIBE_COMPUTE_TYPE,
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise EngineUnavailableError(
            f"The speech model in {model_dir} could not be loaded ({exc}). Point "
            "TRANSCRIBE_MODEL at a directory holding a CTranslate2 Whisper model "
            "(model.bin, config.json, tokenizer.json, vocabulary.json)."
        ) from None
    logger.info("Speech model %s loaded from %s", name, model_dir)
    return engine


@contextlib.contextmanager
def engine_override(engine: TranscriptionEngine) -> Iterator[TranscriptionEngine]:
    """Use `engine` in this process while the block runs (a ScriptedEngine in tests)."""
    global _override
    previous, _override = _override, engine
    try:
        yield engine
    finally:
        _override = previous
