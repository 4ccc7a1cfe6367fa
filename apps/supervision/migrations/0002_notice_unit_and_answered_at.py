import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def fill(apps, schema_editor):
    """Each notice takes its item's owning unit, and the time of its first reply."""
    Notice = apps.get_model("supervision", "Notice")
    NoticeEvent = apps.get_model("supervision", "NoticeEvent")
    WorkItem = apps.get_model("items", "WorkItem")
    Notice.objects.update(unit_id=Subquery(WorkItem.objects.filter(pk=OuterRef("item_id")).values("unit_id")[:1]))
    first_reply = (
        NoticeEvent.objects.filter(notice=OuterRef("pk"), kind="replied")
        .values("notice")
        .annotate(first=Min("at"))
        .values("first")[:1]
    )
    Notice.objects.update(answered_at=Subquery(first_reply))


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0003_unit_acknowledge_days"),
        ("supervision", "0001_notices"),
    ]

    operations = [
        migrations.AddField(
            model_name="notice",
            name="answered_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="answered at"),
        ),
        migrations.AddField(
            model_name="notice",
            name="unit",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="org.unit",
                verbose_name="owning unit",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notice",
            name="unit",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="org.unit",
                verbose_name="owning unit",
            ),
        ),
    ]
