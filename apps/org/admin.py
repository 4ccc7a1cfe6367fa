from django import forms
from django.contrib import admin

from apps.org.models import Unit
from apps.org.services import unit_check_parent, unit_create, unit_update


class UnitAdminForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "code", "level", "parent"]

    def clean_parent(self) -> Unit | None:
        parent = self.cleaned_data.get("parent")
        unit_check_parent(parent=parent)  # too deep a tree is the parent field's problem, shown on the form
        return parent


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    form = UnitAdminForm
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
