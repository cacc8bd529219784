"""Say who checked each inspection stored before `Inspection.kind` existed, by the rule the
submission now applies (written out here, so later changes to it cannot change this migration):
the inspector's scope relative to the point — the point's community or a grid in it: a self-check;
a subdistrict: the street office's check; a district or no scope at all (an operator): a district
check; another community's staff on a cross-check visit of their plan: a cross-check. A covert
visit (暗访) was never recorded as such, so none is made one."""

from django.db import migrations

DISTRICT, STREET, COMMUNITY = 1, 2, 3  # org.Region.Level


def community_path(grid_path):
    """'/d/s/c/g/' → '/d/s/c/': the grid's community."""
    return "/".join(grid_path.split("/")[:-2]) + "/"


def kind_of(scope, grid_path, reason):
    if scope is None:
        return "district"
    level, path = scope
    if level >= COMMUNITY:
        if path.startswith(community_path(grid_path)) or grid_path.startswith(path):
            return "self"
        return "cross" if reason == "cross" else "self"
    if level == STREET:
        return "street"
    return "district"


def fill(apps, schema_editor):
    inspection_model = apps.get_model("inspections", "Inspection")
    region_model = apps.get_model("org", "Region")
    user_model = apps.get_model("org", "User")
    regions = {pk: (level, path) for pk, level, path in region_model.objects.values_list("pk", "level", "path")}
    scopes = {pk: regions.get(scope_id) for pk, scope_id in user_model.objects.values_list("pk", "scope_id")}
    by_kind = {}
    rows = (inspection_model.objects.order_by("pk")
            .values_list("pk", "inspector_id", "grid_id", "assignment__reason"))
    for pk, inspector_id, grid_id, reason in rows.iterator(chunk_size=2000):
        kind = kind_of(scopes.get(inspector_id), regions.get(grid_id, (0, ""))[1], reason)
        by_kind.setdefault(kind, []).append(pk)
    for kind, pks in by_kind.items():
        for start in range(0, len(pks), 500):
            inspection_model.objects.filter(pk__in=pks[start:start + 500]).update(kind=kind)


def back(apps, schema_editor):
    apps.get_model("inspections", "Inspection").objects.update(kind="self")


class Migration(migrations.Migration):

    dependencies = [
        ("inspections", "0005_inspection_kind_cross_checks"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(fill, back),
    ]
