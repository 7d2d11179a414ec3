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


class SchemaOutdated(DatabaseError):
    """The database was made by an older release: `waybill db upgrade` brings it up."""

    exit_code = 15


class CredentialsError(CaptureError):
    """Marketplace secrets missing, unsafe on disk, or refused by the platform."""

    exit_code = 8


class WorkerAlreadyRunning(CaptureError):
    """A second upload worker on a SQLite database (one per database)."""

    exit_code = 9


class QueueActionError(CaptureError):
    """`queue retry|cancel` asked for something the job's state does not allow."""

    exit_code = 10


class MarketplaceError(CaptureError):
    """The marketplace could not be reached or answered nonsense (orders pull)."""

    exit_code = 11


class SourceUnavailable(CaptureError):
    """A drop folder or camera that cannot be opened (`waybill watch`, `waybill camera`)."""

    exit_code = 12


class ReviewError(CaptureError):
    """`waybill review` asked for something the item or its evidence does not allow."""

    exit_code = 13


class UnknownOrder(CaptureError):
    """An order number given by a person (review, desk pairing) that no imported order has."""

    exit_code = 14


class ResendError(CaptureError):
    """`waybill queue resend` could not change the sent number: the checks or the marketplace said no."""

    exit_code = 17


class AccountError(CaptureError):
    """`waybill users` asked for something about a user that cannot be done (unknown, exists, weak password)."""

    exit_code = 16
