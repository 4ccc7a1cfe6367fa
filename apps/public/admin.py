"""Citizen requests in the admin: read only, since every step goes through the services and their timeline."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from apps.public.models import CitizenRequest, RequestPhoto, RequestStep


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RequestStepInline(ReadOnlyInline):
    model = RequestStep
    fields = ["at", "action", "by", "from_unit", "to_unit", "note"]


class RequestPhotoInline(ReadOnlyInline):
    model = RequestPhoto
    fields = ["original_name", "size", "content_type"]


@admin.register(CitizenRequest)
class CitizenRequestAdmin(admin.ModelAdmin):
    list_display = ["tracking_code", "status", "unit", "category", "created_at", "accept_by"]
    list_filter = ["status", "category"]
    search_fields = ["tracking_code"]
    list_select_related = ["unit", "category"]
    inlines = [RequestStepInline, RequestPhotoInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
