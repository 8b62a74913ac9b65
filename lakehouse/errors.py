"""One root exception; subclasses say whether retrying can help.

The CLI prints any `LakehouseError` as one line; runners retry only `TransientError`.
AWS error codes keep their AWS names (`NoSuchKey`, `EntityNotFoundException`).
"""

from __future__ import annotations

from typing import ClassVar


class LakehouseError(Exception):
    """Root of every error the platform raises on purpose."""

    transient: ClassVar[bool] = False


class TransientError(LakehouseError):
    """A failure that may succeed when retried (network, throttling, 5xx)."""

    transient = True


class TerminalError(LakehouseError):
    """A failure that retrying cannot fix (bad input, bad configuration)."""


class ConfigError(TerminalError):
    """A setting has a bad value; the message names the setting and its source."""


class InvalidObjectKey(TerminalError):
    """An object key or bucket name would escape its bucket or is not allowed."""


class NoSuchBucket(TerminalError):
    """S3's NoSuchBucket."""


class NoSuchKey(TerminalError):
    """S3's NoSuchKey."""


class SourceError(TerminalError):
    """A source file cannot be read as the dataset it claims to be."""


class PortalError(TransientError):
    """The open-data portal did not answer as expected."""


class EntityNotFoundException(TerminalError):
    """Glue's EntityNotFoundException: a database, table or partition is missing."""


class AlreadyExistsException(TerminalError):
    """Glue's AlreadyExistsException."""


class QueryError(TerminalError):
    """A query failed to translate or run; the message carries the engine's reason."""


class StageError(TerminalError):
    """A pipeline stage cannot start because an earlier stage has not produced its output."""


class ResourceNotFoundException(TerminalError):
    """DataBrew's ResourceNotFoundException: a recipe, version, job or run is missing."""


class ConflictException(TerminalError):
    """DataBrew's ConflictException: the resource already exists."""


class PreconditionFailed(TerminalError):
    """S3's PreconditionFailed: a conditional write found the key already there."""


class ConcurrentModificationException(TerminalError):
    """Glue's ConcurrentModificationException: another writer changed the entity first."""


class InvalidInputException(TerminalError):
    """Glue's InvalidInputException: a malformed request, such as a bad partition expression."""
