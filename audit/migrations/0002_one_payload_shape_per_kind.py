"""Events written before each kind had one payload shape, moved to the kinds that now carry
those shapes (the same rules as `audit.services.upgraded_payload`, copied here because a
migration must not change when the code does):

- a JSON or CSV export logged as "report_downloaded" with `new.export` → its own kind;
- "role_changed" recorded for a membership moved between agencies → "member_moved";
- "role_changed" recorded for site administration rights → "site_role_changed";
- "member_deactivated" recorded for a membership deleted in the Django admin →
  "membership_deleted";
- "member_added" in the Django admin without the username → the username added.
"""

from django.db import migrations


def upgrade(apps, schema_editor):
    Event = apps.get_model("audit", "Event")
    for event in Event.objects.filter(kind="report_downloaded").iterator():
        export = (event.new or {}).get("export")
        if export in ("json", "csv"):
            event.kind = "export_downloaded" if export == "json" else "answers_csv_downloaded"
            event.new = {k: v for k, v in event.new.items() if k != "export"}
            event.save(update_fields=["kind", "new"])
    for event in Event.objects.filter(kind="role_changed").iterator():
        keys = set(event.old or {}) | set(event.new or {})
        if "agency" in keys:
            event.kind = "member_moved"
        elif keys and keys <= {"is_staff", "is_superuser"}:
            event.kind = "site_role_changed"
        else:
            continue
        event.save(update_fields=["kind"])
    for event in Event.objects.filter(kind="member_deactivated").iterator():
        if "agency" in (event.old or {}):
            event.kind = "membership_deleted"
            event.save(update_fields=["kind"])
    for event in Event.objects.filter(kind="member_added").select_related("subject_user"):
        new = dict(event.new or {})
        if "username" not in new and event.subject_user is not None:
            new["username"] = event.subject_user.username
            event.new = new
            event.save(update_fields=["new"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(upgrade, migrations.RunPython.noop)]
