"""The Editors group: editors add and correct catalogue records, and manage nobody."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
# Reference data and provenance: editors may correct countries and sources, not delete them.
NO_DELETE = {"country", "source"}
NO_ADD = {"country"}


def create_editors(apps, schema_editor):
    # Permissions are normally created after all migrations; editors need them now.
    app_config = apps.get_app_config("cooperation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    wanted = []
    for permission in Permission.objects.filter(content_type__app_label="cooperation"):
        action, model = permission.codename.split("_", 1)
        if action == "delete" and model in NO_DELETE:
            continue
        if action == "add" and model in NO_ADD:
            continue
        wanted.append(permission)
    group.permissions.set(wanted)


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cooperation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
