"""What every endpoint of /api/v1/ shares: the JSON error shape, pagination, filtering by user, the schema."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from apps.core.exceptions import ServiceError, StaleVersionError
from apps.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, ExportColumn, queryset_table_response
from apps.core.versions import etag_of

API_PREFIX = "/api/"


class ErrorSerializer(serializers.Serializer):
    """Every error of the API: a message for people, and the messages of each field that was refused."""

    detail = serializers.CharField(help_text="What went wrong, in the user's language.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per request field (or query parameter); `non_field_errors` for the request as a whole.",
    )


def _flatten_errors(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as {field: [message, …]}, nested fields joined with dots."""
    if isinstance(data, dict):
        flat: dict[str, list[str]] = {}
        for key, value in data.items():
            for name, messages in _flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)).items():
                flat.setdefault(name, []).extend(messages)
        return flat
    if isinstance(data, list | tuple):
        flat = {}
        for index, value in enumerate(data):
            name = prefix if isinstance(value, str) else f"{prefix}.{index}" if prefix else str(index)
            for key, messages in _flatten_errors(value, name).items():
                flat.setdefault(key, []).extend(messages)
        return flat
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: [str(data)]}


def _field_label(view: Any, name: str) -> str | None:
    """The label people know a field by (a model's verbose name), from the view's filters or serializer."""
    request = getattr(view, "request", None)
    filterset_class = getattr(view, "filterset_class", None)
    if request is not None and request.method in SAFE_METHODS:
        # A read is refused for its query parameters, which are the FilterSet's.
        base_filter = filterset_class.base_filters.get(name) if filterset_class else None
        return str(base_filter.label) if base_filter is not None and base_filter.label else None
    try:
        field = view.get_serializer().fields.get(name)
    except Exception:  # a view without a serializer has no labels to offer
        return None
    return str(field.label) if field is not None and field.label else None


def _validation_summary(errors: dict[str, list[str]], view: Any) -> str:
    """One sentence for the top-level `detail`: the first refused field and why."""
    if not errors:
        return str(ValidationError.default_detail)
    name, messages = next(iter(errors.items()))
    if name == api_settings.NON_FIELD_ERRORS_KEY:
        return messages[0]
    label = _field_label(view, name) or name
    return _("%(field)s: %(message)s") % {"field": label, "message": messages[0]}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Errors as {"detail": message, "errors": {field: [message]}}; the services' refusals with their status."""
    if isinstance(exc, ServiceError):
        errors = {exc.field: [exc.message]} if exc.field else {}
        # A refused stale edit tells the client the version it must read before trying again.
        headers = {"ETag": etag_of(exc.current_version)} if isinstance(exc, StaleVersionError) else None
        return Response({"detail": exc.message, "errors": errors}, status=exc.status_code, headers=headers)
    if isinstance(exc, DjangoValidationError):
        # Services turn model validation into ServiceError; this is the safety net for anything else.
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        # Django's message names the model in English ("No WorkItem matches…"); say what DRF says, translated.
        exc = NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        errors = _flatten_errors(response.data)
        response.data = {"detail": _validation_summary(errors, context.get("view")), "errors": errors}
    return response


def _api_not_found_response() -> JsonResponse:
    return JsonResponse(
        {"detail": str(NotFound.default_detail)},
        status=status.HTTP_404_NOT_FOUND,
        json_dumps_params={"ensure_ascii": False},
    )


def api_aware_page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Unknown addresses under /api/ answer in JSON like the API; the pages keep their HTML 404."""
    if request.path.startswith(API_PREFIX):
        return _api_not_found_response()
    return page_not_found(request, exception)


@csrf_exempt  # it changes nothing; a write to an unknown address is a 404, not a CSRF failure
def api_not_found_view(request: HttpRequest) -> HttpResponse:
    """The last address under /api/: JSON 404 whatever DEBUG says (handler404 is not asked under DEBUG).

    Being a match, it also keeps CommonMiddleware from adding the slash, so it does that itself: an address of
    the API written without its slash is sent on to it, as before.
    """
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(f"{request.path_info}/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found_view:
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return _api_not_found_response()


class PortalPageNumberPagination(PageNumberPagination):
    """Small lists (units, people, reports) page by number."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class PortalCursorPagination(CursorPagination):
    """Large lists page by an opaque cursor over a unique, stable key: no COUNT(*), no drift between pages."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class UserFilterBackend(DjangoFilterBackend):
    """django-filter for the project's FilterSets, which take the user so their unit choices stay in scope.

    No form of ours writes an API query, so an empty choice (`?level=`) is a mistake here, refused rather than
    read as "all"; a refused filter answers 400 (DjangoFilterBackend raises), never a longer list or file.
    """

    def get_filterset_kwargs(self, request: Any, queryset: Any, view: Any) -> dict[str, Any]:
        return {**super().get_filterset_kwargs(request, queryset, view), "user": request.user, "refuse_empty": True}

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        # A request that only pages (the first page, a cursor) asks for no filter: the FilterSet would build its
        # form and the units in scope only to leave the rows as they are, on the API's busiest reads.
        if set(request.query_params) <= _paging_parameters(view):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _paging_parameters(view: Any) -> set[str]:
    """The query parameters that page a list or choose its format: every other one may be a filter."""
    paginator = getattr(view, "paginator", None)
    names = {api_settings.URL_FORMAT_OVERRIDE}
    for attribute in ("cursor_query_param", "page_query_param", "page_size_query_param"):
        names.add(getattr(paginator, attribute, None))
    return {name for name in names if name}


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error responses each operation can really give."""

    def get_filter_backends(self) -> list[Any]:
        # A list's export takes the list's filters.
        if getattr(self.view, "action", None) == "export":
            return getattr(self.view, "filter_backends", [])
        return super().get_filter_backends()

    def _error_status_codes(self) -> list[str]:
        codes = []
        writes = self.method in {"POST", "PUT", "PATCH"}
        filtered = self._is_list_view() and bool(getattr(self.view, "filterset_class", None))
        if writes or filtered:
            codes.append("400")
        if writes:
            codes.append("415")  # a body in a media type the operation does not parse
        auth = self.get_auth()
        if auth and {} not in auth:  # the operation needs credentials (spectacular adds {} when they are optional)
            codes += ["401", "403"]
        paginated = self._is_list_view() and getattr(self.view, "pagination_class", None) is not None
        if "{" in self.path or paginated:
            codes.append("404")
        return sorted(codes)

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in self._error_status_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        return responses


# After PortalAutoSchema: extend_schema below loads the default schema class, which is that one.
EXPORT_FORMATS = {"xlsx": XLSX_CONTENT_TYPE, "csv": CSV_CONTENT_TYPE.split(";")[0]}
EXPORT_FORMAT_PARAMETER = OpenApiParameter(
    "file_format", str, OpenApiParameter.PATH, enum=list(EXPORT_FORMATS), description="xlsx or csv (UTF-8 with BOM)."
)
EXPORT_RESPONSES: dict[Any, Any] = {(200, media_type): OpenApiTypes.BINARY for media_type in EXPORT_FORMATS.values()}


def export_schema(summary: str, **responses: Any) -> Any:
    """The schema of a list's export action: the file in either format, or why the filters were refused."""
    return extend_schema(
        summary=summary,
        parameters=[EXPORT_FORMAT_PARAMETER],
        responses={**EXPORT_RESPONSES, **responses, 400: ErrorSerializer},
    )


class ListExportMixin:
    """GET …/export/{xlsx|csv}/: exactly the rows the list endpoint gives for the same filters, as a file.

    A viewset names its columns (Chinese headers: the file is what offices file, whatever the reader's
    language) and how a row of its queryset becomes cells; the rows stream from the database.
    """

    export_sheet_title: str
    export_file_stem: str  # e.g. 单位 → 单位_2021-06-30.xlsx

    def export_columns(self) -> list[ExportColumn]:
        """(column, how to read it from a row of the queryset: a field name or a function of the row)."""
        raise NotImplementedError

    def export_response(self, queryset: Any, file_format: str) -> Any:
        return queryset_table_response(
            queryset=queryset,
            columns=self.export_columns(),
            file_format=file_format,
            file_stem=self.export_file_stem,
            sheet_title=self.export_sheet_title,
        )

    @export_schema("Download the list as XLSX or CSV")
    @action(detail=False, methods=["get"], url_path=r"export/(?P<file_format>xlsx|csv)", url_name="export")
    def export(self, request: Request, file_format: str) -> Any:
        """The list's rows with the same filters (and scope) as a file; filters that do not hold are 400."""
        return self.export_response(self.filter_queryset(self.get_queryset()), file_format)
