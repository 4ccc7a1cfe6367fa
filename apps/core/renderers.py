"""Performance-critical (the API's lists; bench/load.py api-* guards it): the API's JSON renderer.

A module of its own: DRF reads DEFAULT_RENDERER_CLASSES while apps.core.api is still being imported.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# DRF escapes these two so its JSON is also a strict subset of JavaScript; so do we.
JAVASCRIPT_UNSAFE = {"\u2028".encode(): b"\\u2028", "\u2029".encode(): b"\\u2029"}


class PortalJSONRenderer(JSONRenderer):
    """DRF's JSON renderer, written by orjson: the same JSON for the API's compact output, several times faster.

    What orjson does not write itself goes through DRF's own encoder, datetimes and dates included (passed through),
    so a datetime reads as DRF writes it (milliseconds, "Z" for UTC) and lazy translations as text. Indented,
    ASCII-only or non-strict output (the browsable API, `Accept: application/json; indent=4`) stays with DRF.
    """

    _encoder = JSONEncoder()
    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        plain = self.compact and self.strict and not self.ensure_ascii
        if not plain or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=self._encoder.default, option=self._options)
        except orjson.JSONEncodeError:  # what orjson refuses (an integer past 64 bits) DRF writes or refuses itself
            return super().render(data, accepted_media_type, renderer_context)
        for character, escaped in JAVASCRIPT_UNSAFE.items():
            if character in rendered:
                rendered = rendered.replace(character, escaped)
        return rendered
