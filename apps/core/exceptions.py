"""Errors raised by services; pages show them as messages, the API as JSON."""

from http import HTTPStatus


class ServiceError(Exception):
    """A request the business rules refuse; the message is shown to the user as is."""

    status_code = HTTPStatus.BAD_REQUEST

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ServicePermissionError(ServiceError):
    """The user may not do this to this object."""

    status_code = HTTPStatus.FORBIDDEN


class StaleVersionError(ServiceError):
    """The object changed since the version the edit was made from; saving it would undo a change unseen."""

    status_code = HTTPStatus.PRECONDITION_FAILED

    def __init__(self, message: str, *, current_version: str, changed_fields: list[str]) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.changed_fields = changed_fields
