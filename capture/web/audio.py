"""The desk's sounds, made offline when the server starts: a tone per outcome and spoken prompts.

Tones are synthesised here (numpy -> 16-bit mono WAV), so they need nothing
installed.  Spoken prompts (语音播报) come from espeak-ng's Mandarin voice
(Debian `espeak-ng`, which the Makefile installs) run once per prompt; without
it the page plays the tones alone.  Nothing is fetched from a cloud voice.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import wave
from dataclasses import dataclass

import numpy as np

from capture.web.words import VOICE_ZH, Tone

log = logging.getLogger(__name__)

RATE = 22050
VOLUME = 0.4
FADE_S = 0.01  # a short ramp at each end: no click
ESPEAK_TIMEOUT_S = 10
ESPEAK_VOICE = "cmn"
ESPEAK_SPEED_WPM = 150

# Each tone as (frequency Hz, seconds) notes: rising for good news, low and
# long for a refusal, so the packer knows without looking at the screen.
TONE_NOTES: dict[Tone, tuple[tuple[float, float], ...]] = {
    Tone.QUEUED: ((880.0, 0.09), (1320.0, 0.14)),
    Tone.HELD: ((660.0, 0.12),),
    Tone.REVIEW: ((740.0, 0.12), (0.0, 0.06), (740.0, 0.12)),
    Tone.REJECTED: ((220.0, 0.45),),
}


@dataclass(frozen=True)
class Sounds:
    tones: dict[str, bytes]
    voices: dict[str, bytes]  # empty when no speech engine is installed


def _wav(samples: np.ndarray) -> bytes:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def tone(notes: tuple[tuple[float, float], ...]) -> bytes:
    parts = []
    fade = int(RATE * FADE_S)
    for freq, seconds in notes:
        t = np.arange(int(RATE * seconds)) / RATE
        note = VOLUME * np.sin(2 * np.pi * freq * t) if freq else np.zeros_like(t)
        ramp = np.minimum(1.0, np.minimum(np.arange(len(t)), np.arange(len(t))[::-1]) / max(1, fade))
        parts.append(note * ramp)
    return _wav(np.concatenate(parts))


def speak(text: str, espeak: str) -> bytes | None:
    try:
        done = subprocess.run(
            [espeak, "-v", ESPEAK_VOICE, "-s", str(ESPEAK_SPEED_WPM), "--stdout", text],
            capture_output=True,
            timeout=ESPEAK_TIMEOUT_S,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("spoken prompt %r not made: %s", text, exc)
        return None
    return done.stdout if done.stdout.startswith(b"RIFF") else None


def make_sounds(with_voice: bool = True) -> Sounds:
    tones = {name.value: tone(notes) for name, notes in TONE_NOTES.items()}
    espeak = shutil.which("espeak-ng") if with_voice else None
    voices: dict[str, bytes] = {}
    if espeak:
        for key, text in VOICE_ZH.items():
            clip = speak(text, espeak)
            if clip:
                voices[key] = clip
    elif with_voice:
        log.warning("espeak-ng not installed: the desk plays tones without spoken prompts")
    return Sounds(tones, voices)
