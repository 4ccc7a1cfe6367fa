"""Files in storage that nothing refers to any more."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.files.storage import Storage

logger = logging.getLogger(__name__)


def storage_delete_leftovers(storage: Storage, names: Iterable[str]) -> None:
    """Delete files no row refers to; best effort, as a leftover is clutter and must not hide the outcome.

    Storage is not transactional, so a rollback or a failed attempt leaves the files it wrote behind.
    """
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not delete the leftover file %s", name, exc_info=True)
