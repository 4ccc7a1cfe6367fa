from django.contrib import admin

from apps.org.models import Unit
from apps.org.services import unit_create, unit_update


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "depth"]
    list_filter = ["level", "depth"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a unit would rewrite the paths of its whole subtree; it is not offered here.
        return ["parent"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            unit_update(unit=obj, name=data["name"], code=data["code"], level=data["level"])
        else:
            created = unit_create(name=data["name"], code=data["code"], level=data["level"], parent=data["parent"])
            obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth
