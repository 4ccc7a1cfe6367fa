from django.db import migrations

CATEGORIES = [
    ("employment", "就业", "Employment"),
    ("education", "教育", "Education"),
    ("social_security", "社会保障", "Social security"),
    ("healthcare", "医疗卫生", "Healthcare"),
    ("housing", "住房", "Housing"),
    ("elderly_care", "养老", "Elderly care"),
    ("childcare", "托育", "Childcare"),
    ("transport_parking", "交通出行与停车", "Transport and parking"),
    ("water_supply", "供水", "Water supply"),
    ("environment", "生态环境", "Environment"),
    ("business_environment", "营商环境", "Business environment"),
    ("grassroots_governance", "基层治理", "Grassroots governance"),
    ("other", "其他", "Other"),
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("items", "Category")
    for order, (code, name, name_en) in enumerate(CATEGORIES):
        Category.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("items", "0001_initial")]
    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
