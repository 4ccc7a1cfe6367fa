"""Forms of the item pages; they validate input and hand it to the services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import User
from apps.accounts.widgets import PersonSelect
from apps.items.evidence import ALLOWED_EVIDENCE_TYPES
from apps.items.models import KIND_OF_OWNER_TYPE, PERSON_OWNED_TYPES, ItemKind, OwnerType, WorkItem
from apps.items.services import EDITABLE_FIELDS
from apps.org.models import Unit

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkItemForm(forms.ModelForm):
    """Create or edit an item; the kind comes from the page, never from a free choice."""

    class Meta:
        model = WorkItem
        fields = ["owner_type", "unit", *EDITABLE_FIELDS]
        widgets = {
            "start_date": DATE_INPUT,
            "deadline": DATE_INPUT,
            "content": forms.Textarea(attrs={"rows": 4}),
            "requirements": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user: User, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        units = Unit.objects.visible_to(user)
        people = User.objects.filter(unit__in=units, is_active=True).select_related("unit").order_by("unit__path")
        owner_types = [(value, label) for value, label in OwnerType.choices if KIND_OF_OWNER_TYPE[value] == kind]
        self.fields["owner_type"].choices = owner_types
        self.fields["unit"].queryset = units
        self.fields["responsible_unit"].queryset = units
        self.fields["responsible_unit"].required = False
        for name in ("owner_person", "responsible_person"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = lambda person: f"{person} · {person.unit}"
        self.fields["responsible_person"].widget = PersonSelect(unit_field="responsible_unit")
        self.fields["responsible_person"].widget.choices = self.fields["responsible_person"].choices
        if self.instance.pk:
            # The owning unit and owner type are fixed once an item exists; its number depends on them.
            del self.fields["owner_type"]
            del self.fields["unit"]
            # The version the form was opened at travels with it, so a save over someone else's change is refused.
            self.fields["version"] = forms.CharField(
                widget=forms.HiddenInput,
                initial=self.instance.version,
                error_messages={"required": _("This form is out of date; open the item's edit page again.")},
            )
        else:
            self.fields["unit"].initial = user.unit_id
            if kind == ItemKind.SERVICE_LIST:
                self.fields["owner_person"].initial = user.pk
        if kind == ItemKind.LIVELIHOOD_PLAN:
            del self.fields["owner_person"]

    def clean(self) -> dict:
        data = super().clean()
        owner_type = data.get("owner_type", self.instance.owner_type if self.instance.pk else None)
        if owner_type in PERSON_OWNED_TYPES and "owner_person" in self.fields and not data.get("owner_person"):
            self.add_error("owner_person", _("A service-list item needs the person whose list it is."))
        return data

    def _post_clean(self) -> None:
        # Model invariants are checked by the services (item_create / item_update), which see every field.
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data}


class ActionForm(forms.Form):
    reason = forms.CharField(label=_("Reason or note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ALLOWED_EVIDENCE_TYPES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("Progress note"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=format_lazy(
            _("Photos, PDF or office documents, up to {size} MB each."),
            size=settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
        ),
    )
    is_public = forms.BooleanField(
        label=_("Make this progress public"),
        required=False,
        help_text=_(
            "The note and its photos show on the item's public page once it is published; other files stay internal."
        ),
    )


class AssignForm(forms.Form):
    responsible_unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none())
    responsible_person = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=User.objects.none(), required=False
    )
    letter = forms.CharField(label=_("Assignment letter number"), max_length=100, required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.visible_to(user)
        self.fields["responsible_unit"].queryset = units
        person = self.fields["responsible_person"]
        person.queryset = User.objects.filter(unit__in=units, is_active=True).select_related("unit")
        person.label_from_instance = lambda person: f"{person} · {person.unit}"
        person.widget = PersonSelect(unit_field="responsible_unit")
        person.widget.choices = person.choices


class ExtensionRequestForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline asked for"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the deadline cannot be kept; the progress so far is added from the item."),
    )


class ExtensionGrantForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionRefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for refusing"), widget=forms.Textarea(attrs={"rows": 2}))
