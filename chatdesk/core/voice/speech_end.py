"""The end of what someone said: WebRTC's voice activity detection (webrtcvad-wheels; decision
0062) on 30 ms frames, and a pause after speech as long as `[voice] sensitivity` says.

It runs on the audio thread, one 50 ms block at a time; it keeps the part of a block that does
not fill a frame for the next one.
"""

from __future__ import annotations

from typing import Any

from chatdesk.core.voice.audio import SAMPLE_RATE

FRAME_MS = 30
_FRAME_BYTES = SAMPLE_RATE * FRAME_MS // 1000 * 2
# Speech must last this long before a pause can end it (a cough or a click is not speech).
MIN_SPEECH_MS = 300
# How long a pause ends what was said, and how strictly a frame counts as speech (webrtcvad's
# aggressiveness, 0 to 3): high sensitivity takes a short pause for the end.
PAUSE_MS = {"low": 1_200, "medium": 800, "high": 500}
AGGRESSIVENESS = {"low": 1, "medium": 2, "high": 3}


class EndOfSpeech:
    """Feed it 16 kHz 16-bit mono blocks; it says when speech was followed by a pause."""

    def __init__(self, sensitivity: str = "medium") -> None:
        self._pause_frames = PAUSE_MS.get(sensitivity, PAUSE_MS["medium"]) // FRAME_MS
        self._aggressiveness = AGGRESSIVENESS.get(sensitivity, 2)
        self._vad: Any = None
        self._rest = b""
        self._speech_frames = 0
        self._quiet_frames = 0
        self.heard = False  # enough speech so far for a pause to end it
        self.ended = False

    def measure(self, block: bytes) -> tuple[float, bool]:
        """The block's level (RMS, 0 to 1) and whether speech has now ended."""
        import numpy as np

        samples = np.frombuffer(block, dtype="<i2").astype(np.float64) / 32768.0
        level = float(np.sqrt(np.mean(np.square(samples)))) if len(samples) else 0.0
        self.feed(block)
        return level, self.ended

    def feed(self, block: bytes) -> bool:
        if self._vad is None:
            import webrtcvad

            self._vad = webrtcvad.Vad(self._aggressiveness)
        data = self._rest + block
        whole = len(data) - len(data) % _FRAME_BYTES
        for start in range(0, whole, _FRAME_BYTES):
            self._frame(self._vad.is_speech(data[start : start + _FRAME_BYTES], SAMPLE_RATE))
        self._rest = data[whole:]
        return self.ended

    def _frame(self, speech: bool) -> None:
        if speech:
            self._speech_frames += 1
            self._quiet_frames = 0
            if self._speech_frames * FRAME_MS >= MIN_SPEECH_MS:
                self.heard = True
        else:
            self._quiet_frames += 1
            if self.heard and self._quiet_frames >= self._pause_frames:
                self.ended = True
