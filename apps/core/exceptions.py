"""Errors raised by services; pages show them as messages, the API as JSON."""


class ServiceError(Exception):
    """A request the business rules refuse; the message is shown to the user as is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ServicePermissionError(ServiceError):
    """The user may not do this to this object."""
