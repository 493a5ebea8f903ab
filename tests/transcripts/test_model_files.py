"""Where the speech model comes from (model_files.py) and the worker's start (db_worker)."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from transcripts import model_files
from transcripts.engine import EngineUnavailableError, transcripts_off_reason


def test_the_packaged_model_is_assembled_once_and_checked(tmp_path: Path, settings):
    settings.TRANSCRIBE_MODEL = ""
    settings.TRANSCRIBE_MODEL_DIR = tmp_path / "model"

    directory, name = model_files.model_directory_ready()

    assert (directory, name) == (tmp_path / "model", "whisper-base")
    assert sorted(p.name for p in directory.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.json",
    ]
    assert model_files.model_file_digest(directory / "model.bin") == (
        model_files.PACKAGED_MODEL_SIZE,
        model_files.PACKAGED_MODEL_SHA256,
    )
    # Not assembled again: a model.bin that changed since is found out by its hash.
    with (directory / "model.bin").open("r+b") as model:
        model.write(b"\0")
    with pytest.raises(EngineUnavailableError, match="not the packaged Whisper base model"):
        model_files.model_directory_ready()


def test_a_model_directory_without_a_model_says_so(tmp_path: Path, settings):
    settings.TRANSCRIBE_MODEL = str(tmp_path)

    with pytest.raises(EngineUnavailableError, match=r"holds no CTranslate2 Whisper model"):
        model_files.model_directory_ready()


def test_an_unwritable_model_directory_says_which_setting_to_change(tmp_path: Path, settings):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    settings.TRANSCRIBE_MODEL = ""
    settings.TRANSCRIBE_MODEL_DIR = blocker / "model"

    with pytest.raises(EngineUnavailableError, match="TRANSCRIBE_MODEL_DIR"):
        model_files.model_directory_ready()


def test_the_worker_stops_at_start_when_the_model_is_missing(tmp_path: Path, settings):
    settings.TRANSCRIBE_MODEL = str(tmp_path / "nowhere")

    with pytest.raises(CommandError, match=r"cannot make transcripts.*nowhere"):
        call_command("db_worker", "--queue-name", "transcripts", "--batch", "--no-reload")


def test_the_worker_stops_at_start_when_transcripts_are_off(settings):
    settings.TRANSCRIBE_ENGINE = "off"

    assert transcripts_off_reason() is not None
    with pytest.raises(CommandError, match="TRANSCRIBE_ENGINE=off"):
        call_command("db_worker", "--queue-name", "default,transcripts", "--batch", "--no-reload")
