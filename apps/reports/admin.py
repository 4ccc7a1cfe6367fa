from django.contrib import admin

from apps.reports.models import Report, ReportRecipient


@admin.register(ReportRecipient)
class ReportRecipientAdmin(admin.ModelAdmin):
    list_display = ["unit", "receives_reports"]
    autocomplete_fields = ["unit"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["unit", "kind", "period_start", "period_end", "status", "attempts", "generated_at"]
    list_filter = ["kind", "status"]
    search_fields = ["unit__name"]
    readonly_fields = [field.name for field in Report._meta.fields]

    def has_add_permission(self, request):
        return False  # reports are produced by the schedule or the archive page, never typed in
