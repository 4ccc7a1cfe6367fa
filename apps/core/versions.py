"""Versions of a row for optimistic concurrency: a form or an API client says which version it edited.

A row's version is the moment of its last saved change (`updated_at`, which every save stamps), in whole
microseconds since the epoch: an opaque token to the reader, an exact integer here. A write made from an
older version is refused instead of silently undoing a change the writer never saw.
"""

from __future__ import annotations

import datetime

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


def version_of(moment: datetime.datetime) -> str:
    """The version token of a row last changed at `moment`."""
    return str((moment - EPOCH) // MICROSECOND)


def moment_of_version(version: str) -> datetime.datetime | None:
    """When the row of this version was saved, or None when the token is not a version at all."""
    token = version.strip().strip('"')
    if token.startswith("W/"):
        token = token[2:].strip('"')
    if not token.isdigit() or len(token) > 20:
        return None
    try:
        return EPOCH + int(token) * MICROSECOND
    except OverflowError:
        return None


def etag_of(version: str) -> str:
    """The version as an HTTP entity tag."""
    return f'"{version}"'


def version_of_etag(etag: str) -> str:
    """The version an HTTP entity tag (strong or weak, as sent in If-Match) names."""
    token = etag.strip()
    if token.startswith("W/"):
        token = token[2:]
    return token.strip().strip('"')
