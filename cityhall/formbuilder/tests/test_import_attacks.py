"""A service definition file that is hostile JSON gets a message, never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(staff_client):
    client, _user = staff_client("digital_team")
    return client


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"target_days": NaN}', "NaN or Infinity"),
        (b'{"target_days": 1e999}', "NaN or Infinity"),
        (b'{"target_days": ' + b"9" * 5000 + b"}", "too big"),
        (b'{"a": "\xc3\x28"}', "not text"),
        (b"GIF89a/*<script>alert(1)</script>*/", "not valid JSON"),
        (b"x" * (600 * 1024), "larger than 512 KB"),
    ],
)
def test_hostile_definition_files_are_refused_with_a_message(team, body, message):
    upload = SimpleUploadedFile("service.json", body, "application/json")
    response = team.post(reverse("formbuilder:builder-import"), {"file": upload})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_json_editor_refuses_deep_nesting_and_keeps_the_text(team, make_user):
    from cityhall.formbuilder import services_builder
    from cityhall.formbuilder.testing import definition

    service = services_builder.create_service(raw=definition(), actor=make_user())
    url = reverse("formbuilder:builder-json", args=[service.code])
    deep = "[" * 50_000 + "]" * 50_000
    response = team.post(url, {"definition": deep})
    assert response.status_code == 200
    assert "nested too deeply" in response.content.decode()
    assert "[[[[[[" in response.content.decode()
