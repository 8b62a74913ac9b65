"""Athena's API errors, under their AWS names (moto: `athena/exceptions.py`)."""

from __future__ import annotations

from lakehouse.errors import TerminalError


class InvalidRequestException(TerminalError):
    """Athena's InvalidRequestException: an unknown id or workgroup, a bad token or parameter."""

    def __init__(self, message: str, athena_error_code: str = "INVALID_INPUT") -> None:
        super().__init__(message)
        self.athena_error_code = athena_error_code
