from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.workdays.models import CalendarDay, CalendarYear, Source
from apps.workdays.services import calendar_fill_from_library, library_years


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "note", "updated_at"]
    readonly_fields = ["source"]
    actions = ["fill_from_library"]

    def save_model(self, request: HttpRequest, obj: CalendarYear, form, change: bool) -> None:
        obj.source = Source.MANUAL  # entered here: a later fill from the library leaves it alone
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Fill the selected years from the published calendar"))
    def fill_from_library(self, request: HttpRequest, queryset) -> None:
        wanted = [year.year for year in queryset]
        unknown = sorted(set(wanted) - set(library_years()))
        filled = calendar_fill_from_library(years=wanted)
        if filled:
            self.message_user(
                request,
                ngettext("Filled %(years)s.", "Filled %(years)s.", len(filled))
                % {"years": "、".join(map(str, filled))},
            )
        if unknown:
            self.message_user(
                request,
                _(
                    "The published calendar does not know %(years)s yet: enter its holidays and swapped working days by hand."
                )
                % {"years": "、".join(map(str, unknown))},
                level=messages.WARNING,
            )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "is_working", "name", "source"]
    list_filter = ["is_working", "source"]
    date_hierarchy = "day"
    search_fields = ["name"]
    readonly_fields = ["source"]

    def save_model(self, request: HttpRequest, obj: CalendarDay, form, change: bool) -> None:
        obj.source = Source.MANUAL
        super().save_model(request, obj, form, change)
