"""The public pages (公示): anonymous, read only, on the same rule of what counts as the portal."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe

from apps.items.evidence import evidence_response
from apps.org.filtersets import filter_problems
from apps.public.comments import public_comments_of
from apps.public.selectors import (
    PUBLIC_CACHE_SECONDS,
    public_directory,
    public_evidence,
    public_item_get,
    public_unit_get,
    public_unit_page,
)


@require_safe
def public_directory_view(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "")
    units, more = public_directory(text=text)
    return render(request, "public/directory.html", {"units": units, "more": more, "text": text.strip()})


@require_safe
@cache_page(PUBLIC_CACHE_SECONDS)  # the whole page, per address and language: under load most visitors read it here
def public_unit_view(request: HttpRequest, pk: int) -> HttpResponse:
    unit = public_unit_get(pk)
    page = public_unit_page(unit=unit, query=request.GET)
    query = request.GET.copy()
    query.pop("page", None)
    chart = {
        "kinds": [figures.kind_label for figures in page.figures],
        "planned": [figures.planned for figures in page.figures],
        "completed": [figures.completed for figures in page.figures],
        "rates": [None if figures.rate is None else float(figures.rate) for figures in page.figures],
    }
    return render(
        request,
        "public/unit.html",
        {
            "view": page,
            "problems": filter_problems(page.filterset) if page.page is None else "",
            "query": query.urlencode(),
            "chart": chart,
        },
    )


@require_safe
def public_item_view(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "public/item.html", {"item": public_item_get(pk), "comments": public_comments_of(pk)})


@require_safe
def public_evidence_view(request: HttpRequest, pk: int) -> FileResponse:
    # Scoped in the query: a photo of a note not marked public, or of an item not published, is never read.
    return evidence_response(get_object_or_404(public_evidence(), pk=pk))
