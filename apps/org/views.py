"""The unit picker's search (static/js/unit-picker.js asks it as the user types)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from apps.org.selectors import unit_search

# How many units one answer holds unless asked for fewer; a picker shows about a screenful.
UNIT_SEARCH_LIMIT = 20
UNIT_SEARCH_MAX_LIMIT = 50


def unit_search_view(request: HttpRequest) -> JsonResponse:
    """Units the user reaches whose name or code holds `q`, each with its path; `more` when the limit cut some off.

    A unit outside the user's reach is never found: the search starts from Unit.objects.visible_to (org.scope).
    """
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("Please log in.")}, status=401)
    limit_text = request.GET.get("limit", "").strip()
    try:
        limit = int(limit_text) if limit_text else UNIT_SEARCH_LIMIT
    except ValueError:
        limit = 0
    if not 1 <= limit <= UNIT_SEARCH_MAX_LIMIT:
        return JsonResponse(
            {"detail": _("limit takes a whole number from 1 to %(most)s.") % {"most": UNIT_SEARCH_MAX_LIMIT}},
            status=400,
        )
    matches, more = unit_search(user=request.user, text=request.GET.get("q", ""), limit=limit)
    return JsonResponse(
        {
            "results": [
                {"id": unit.pk, "name": unit.name, "code": unit.code, "level": unit.level, "path": unit.path}
                for unit in matches
            ],
            "more": more,
        },
        json_dumps_params={"ensure_ascii": False},
    )
