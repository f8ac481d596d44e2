from django.contrib.auth.models import User
from django.test import Client

from retorno.accounts.models import Organisation
from retorno.core.models import AuditAction, AuditEvent


def test_operator_changes_in_admin_are_audited_without_password_hashes(db: None) -> None:
    root = User.objects.create_superuser("root", password="x-very-long-secret")
    client = Client()
    client.force_login(root)
    response = client.post(
        "/admin/accounts/organisation/add/",
        {
            "name": "Dakar Reintegration Centre",
            "kind": "ngo",
            "country": "SN",
            "is_active": "on",
            "offices-TOTAL_FORMS": "0",
            "offices-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Dakar Reintegration Centre")
    created = AuditEvent.objects.get(action=AuditAction.CREATE, entity_type="accounts.organisation")
    assert created.entity_id == str(organisation.pk) and created.actor == root

    client.post(
        f"/admin/auth/user/{root.pk}/change/",
        {
            "username": "root",
            "first_name": "Root",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    changed = AuditEvent.objects.get(action=AuditAction.UPDATE, entity_type="auth.user")
    assert changed.after is not None and "password" not in changed.after
    assert changed.after["first_name"] == "Root"
