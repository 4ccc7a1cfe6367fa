import datetime

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from apps.reports.models import Report, ReportRecipient


@admin.register(ReportRecipient)
class ReportRecipientAdmin(admin.ModelAdmin):
    list_display = ["unit", "receives_reports"]
    autocomplete_fields = ["unit"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["unit", "kind", "period_start", "period_end", "status", "attempts", "generated"]
    list_filter = ["kind", "status"]
    search_fields = ["unit__name"]
    readonly_fields = [field.name for field in Report._meta.fields]

    @admin.display(description=_("generated at"), ordering="finished_at")
    def generated(self, report: Report) -> datetime.datetime | None:
        return report.generated_at

    def has_add_permission(self, request):
        return False  # reports are produced by the schedule or the archive page, never typed in
