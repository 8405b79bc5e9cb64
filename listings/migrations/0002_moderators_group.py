from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATORS_GROUP = "moderators"
PERMISSIONS = [
    ("listings", "moderate_listing"),
    ("listings", "view_listing"),
    ("listings", "view_submittedlisting"),
    ("listings", "view_licenseoffer"),
    ("listings", "view_mediaasset"),
    ("audit", "view_auditentry"),
    ("accounts", "view_user"),
]


def create_moderators_group(apps, schema_editor):
    # Permissions are normally created after migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0001_initial"),
        ("audit", "0001_initial"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_moderators_group, migrations.RunPython.noop)]
