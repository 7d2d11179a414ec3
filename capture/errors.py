"""Faults the user can act on.  Each carries an exit code and says what to do next.

The API raises these; only the CLI turns them into a message and a status.
Expected outcomes (no label, needs review) are values, never exceptions.
"""

from __future__ import annotations


class CaptureError(Exception):
    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  -> {self.hint}" if self.hint else self.message


class BadArguments(CaptureError):
    exit_code = 2


class SettingsError(CaptureError):
    exit_code = 3


class InputFileError(CaptureError):
    """A file given to us cannot be read as what it should be."""

    exit_code = 4


class UnreadableImage(InputFileError):
    """One photo could not be decoded as an image; the batch goes on."""


class EngineUnavailable(CaptureError):
    exit_code = 5


class ModelFilesError(CaptureError):
    exit_code = 6


class DatabaseError(CaptureError):
    exit_code = 7
