"""The builder pages: access, create, edit page by page, preview, publish,
export/import and the JSON editor, with problems shown, never a 500."""

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cityhall.cases import registry as cases_registry
from cityhall.formbuilder import services_builder
from cityhall.formbuilder.models import FormService, ServiceStatus
from cityhall.formbuilder.testing import definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(staff_client):
    client, _user = staff_client("digital_team")
    return client


def _page_post(page: dict, questions: list[dict], routes=(), **extra) -> dict:
    data = {
        "key": page["key"],
        "title_en": page["title_en"],
        "title_es": page["title_es"],
        "show_if_question": "",
        "show_if_equals": "",
        "q-TOTAL_FORMS": str(len(questions)),
        "q-INITIAL_FORMS": "0",
        "r-TOTAL_FORMS": str(len(routes)),
        "r-INITIAL_FORMS": "0",
        **extra,
    }
    for i, q in enumerate(questions):
        for name, value in q.items():
            data[f"q-{i}-{name}"] = value
    for i, r in enumerate(routes):
        for name, value in r.items():
            data[f"r-{i}-{name}"] = value
    return data


def test_only_builders_reach_the_builder(staff_client, client):
    assert client.get(reverse("formbuilder:builder")).status_code == 302  # sign in first
    clerk, _ = staff_client("police_officer", email="officer@staff.example.org")
    assert clerk.get(reverse("formbuilder:builder")).status_code == 403


def test_staff_home_links_to_the_builder(team):
    assert reverse("formbuilder:builder") in team.get(reverse("core:staff-home")).text


def test_build_a_service_page_by_page_then_publish(team):
    response = team.post(
        reverse("formbuilder:builder-create"),
        {"code": "noise", "prefix": "NZ", "name_en": "Report noise", "name_es": "Reportar ruido"},
    )
    assert response.status_code == 302
    service = FormService.objects.get(code="noise")
    # Problems are listed, and publishing is refused with them.
    page = team.get(reverse("formbuilder:builder-service", args=["noise"])).text
    assert "The service has no questions" in page
    team.post(reverse("formbuilder:builder-publish", args=["noise"]))
    assert FormService.objects.get(code="noise").status == ServiceStatus.DRAFT

    url = reverse("formbuilder:builder-page", args=["noise", 1])
    questions = [
        {"key": "kind", "type": "choice", "label_en": "Kind", "label_es": "Tipo",
         "required": "on", "choices": "music | Music | Música\nparty | Party | Fiesta"},
        {"key": "when", "type": "time", "label_en": "When", "label_es": "Cuándo", "required": "on"},
    ]  # fmt: skip
    page1 = {"key": "what", "title_en": "What", "title_es": "Qué"}
    assert team.post(url, _page_post(page1, questions)).status_code == 302
    page2 = {"key": "party", "title_en": "Party", "title_es": "Fiesta"}
    response = team.post(
        reverse("formbuilder:builder-page", args=["noise", 2]),
        _page_post(
            page2,
            [{"key": "guests", "type": "integer", "label_en": "Guests", "label_es": "Invitados",
              "min": "1", "max": "500"}],
            show_if_question="kind",
            show_if_equals="party",
        ),
    )  # fmt: skip
    assert response.status_code == 302
    draft = FormService.objects.get(code="noise").draft
    assert draft["pages"][0]["questions"][0]["choices"][1] == {
        "value": "party",
        "label_en": "Party",
        "label_es": "Fiesta",
    }
    assert draft["pages"][1]["show_if"] == {"question": "kind", "equals": "party"}
    assert draft["pages"][1]["questions"][0]["max"] == 500

    settings = {
        **{k: v for k, v in draft.items() if isinstance(v, str)},
        "summary_en": "Tell us about noise.",
        "summary_es": "Díganos del ruido.",
        "target_days": "7",
        "approved_message_en": "Thanks.",
        "approved_message_es": "Gracias.",
        "rejected_message_en": "No.",
        "rejected_message_es": "No.",
    }
    response = team.post(reverse("formbuilder:builder-service", args=["noise"]), settings)
    assert response.status_code == 302
    assert "The draft is ready to publish" in team.get(response.url).text

    preview = team.get(reverse("formbuilder:builder-preview-page", args=["noise", "what"]))
    assert "Música" not in preview.text and "Party" in preview.text
    preview_es = team.get(
        "/es" + reverse("formbuilder:builder-preview-page", args=["noise", "what"])
    )
    assert "Música" in preview_es.text

    team.post(reverse("formbuilder:builder-publish", args=["noise"]))
    service.refresh_from_db()
    assert service.status == ServiceStatus.PUBLISHED
    assert cases_registry.get("noise").prefix == "NZ"
    team.post(reverse("formbuilder:builder-unpublish", args=["noise"]))
    assert FormService.objects.get(code="noise").status == ServiceStatus.UNPUBLISHED


def test_bad_question_input_is_shown_next_to_it_and_kept(team):
    team.post(
        reverse("formbuilder:builder-create"),
        {"code": "noise", "prefix": "NZ", "name_en": "Noise", "name_es": "Ruido"},
    )
    bad = {"key": "kind", "type": "choice", "label_en": "Kind", "label_es": "Tipo",
           "choices": "music | Music"}  # fmt: skip
    response = team.post(
        reverse("formbuilder:builder-page", args=["noise", 1]),
        _page_post({"key": "what", "title_en": "What", "title_es": "Qué"}, [bad]),
    )
    assert response.status_code == 200
    assert "Line 1: write value | English | Spanish." in response.text
    assert "music | Music" in response.text  # what was typed is kept
    # A condition naming a question that does not exist is saved, then listed.
    response = team.post(
        reverse("formbuilder:builder-page", args=["noise", 1]),
        _page_post(
            {"key": "what", "title_en": "What", "title_es": "Qué"},
            [{"key": "volume", "type": "integer", "label_en": "Volume", "label_es": "Volumen"}],
            routes=[{"question": "nothing", "equals": "x", "goto": "end"}],
        ),
    )
    page = team.get(response.url).text
    assert "the condition names “nothing”, which is not an earlier question" in page


def test_export_then_import_with_every_problem_listed(team, make_user):
    actor = make_user("maker@staff.example.org", roles=["digital_team"])
    service = services_builder.create_service(raw=definition(), actor=actor)
    response = team.get(reverse("formbuilder:builder-export", args=[service.code]))
    assert response["Content-Disposition"] == 'attachment; filename="streetlight.json"'
    exported = json.loads(response.content)
    assert exported["pages"] == definition()["pages"]

    broken = {**copy.deepcopy(exported), "target_days": 0, "prefix": "io"}
    broken["pages"][0]["routes"] = [{"question": "kind", "equals": "out", "goto": "nowhere"}]
    upload = SimpleUploadedFile("s.json", json.dumps(broken).encode(), "application/json")
    response = team.post(reverse("formbuilder:builder-import"), {"file": upload})
    assert response.status_code == 200
    for problem in (
        "The reference prefix must be 1 to 4 capital letters",
        "The target time to decision must be 1 to 365 days.",
        "Page where routes to “nowhere”, a page that does not exist.",
    ):
        assert problem in response.text
    not_json = SimpleUploadedFile("s.json", b'{"code": ', "application/json")
    response = team.post(reverse("formbuilder:builder-import"), {"file": not_json})
    assert "This is not valid JSON" in response.text and "line 1" in response.text

    renamed = {**exported, "code": "streetlight_two", "prefix": "SLT"}
    upload = SimpleUploadedFile("s.json", json.dumps(renamed).encode(), "application/json")
    response = team.post(reverse("formbuilder:builder-import"), {"file": upload})
    assert response.status_code == 302
    assert FormService.objects.get(code="streetlight_two").draft["prefix"] == "SLT"


def test_json_editor_keeps_bad_json_and_says_where(team, make_user):
    service = services_builder.create_service(raw=definition(), actor=make_user())
    url = reverse("formbuilder:builder-json", args=[service.code])
    assert "streetlight" in team.get(url).text
    response = team.post(url, {"definition": '{"code": "streetlight",'})
    assert response.status_code == 200
    assert "This is not valid JSON" in response.text
    response = team.post(url, {"definition": json.dumps(definition(target_days=900))})
    assert response.status_code == 302
    assert "The target time to decision must be 1 to 365 days." in team.get(url).text


def test_pages_can_be_moved_and_removed(team, make_user):
    service = services_builder.create_service(raw=definition(), actor=make_user())
    team.post(reverse("formbuilder:builder-page-action", args=[service.code, 3]), {"action": "up"})
    service.refresh_from_db()
    assert [p["key"] for p in service.draft["pages"]] == ["where", "more", "flicker"]
    team.post(
        reverse("formbuilder:builder-page-action", args=[service.code, 1]), {"action": "remove"}
    )
    service.refresh_from_db()
    assert [p["key"] for p in service.draft["pages"]] == ["more", "flicker"]
    assert team.get(reverse("formbuilder:builder-page", args=[service.code, 9])).status_code == 404


def test_every_builder_page_renders_the_draft(team, make_user):
    service = services_builder.create_service(raw=definition(), actor=make_user())
    edit = team.get(reverse("formbuilder:builder-page", args=[service.code, 1])).text
    assert 'value="^[A-Z]{2}[0-9]{3,6}$"' in edit and "out | Out | Out (es)" in edit
    assert (
        "Add a page" in team.get(reverse("formbuilder:builder-page", args=[service.code, 4])).text
    )
    start = team.get(reverse("formbuilder:builder-preview", args=[service.code])).text
    assert "Tell us which light is out." in start and "Start now" in start  # as residents see it
    assert "Report a broken streetlight" in team.get(reverse("formbuilder:builder")).text
    services_builder.save_draft(
        service=service, raw=definition(pages=[]), actor=make_user("b@example.org")
    )
    broken = team.get(reverse("formbuilder:builder-preview", args=[service.code])).text
    assert "Fix these problems to see the preview" in broken


def test_the_preview_checks_answers_and_follows_the_routes_without_saving(team, make_user):
    from cityhall.cases.models import Case

    actor = make_user("builder@staff.example.org", roles=["digital_team"])
    services_builder.create_service(raw=definition(), actor=actor)
    start = reverse("formbuilder:builder-preview", args=["streetlight"])
    assert "Start now" in team.get(start).text
    first = team.post(start)
    assert first.url == reverse("formbuilder:builder-preview-page", args=["streetlight", "where"])
    where = first.url

    # Checked as for residents: the typed value comes back with the message.
    bad = team.post(where, {"pole": "lamp 7", "kind": "out"})
    assert bad.status_code == 200 and 'value="lamp 7"' in bad.text
    assert "usa-error-message" in bad.text

    # "out" skips the flicker page; "flicker" shows it.
    skip = team.post(where, {"pole": "AB1234", "kind": "out"})
    assert skip.url.endswith("/preview/more/")
    more = team.get(skip.url).text
    assert 'href="' + where + '"' in more  # back goes to the page before, on this route
    shown = team.post(where, {"pole": "AB1234", "kind": "flicker"})
    assert shown.url.endswith("/preview/flicker/")
    assert 'value="AB1234"' in team.get(where).text  # answers kept for the run

    team.post(shown.url, {"how_often": "Every minute"})
    end = team.post(skip.url, {"count": "2", "ok": "on"})
    assert end.status_code == 200 and "End of the preview" in end.text
    assert not Case.objects.exists()  # nothing saved, no case opened

    # Starting again forgets the run's answers.
    team.post(start)
    assert 'value="AB1234"' not in team.get(where).text


def test_only_builders_run_the_preview(staff_client, team, make_user):
    actor = make_user("builder@staff.example.org", roles=["digital_team"])
    services_builder.create_service(raw=definition(), actor=actor)
    clerk, _ = staff_client("finance_clerk", email="clerk@staff.example.org")
    start = reverse("formbuilder:builder-preview", args=["streetlight"])
    assert clerk.get(start).status_code == 403
    assert clerk.post(start).status_code == 403


def test_the_digital_team_marks_a_service_for_open_data_in_the_settings(team):
    from cityhall.formbuilder.testing import BASE

    service = services_builder.create_service(raw=copy.deepcopy(BASE), actor=None)
    url = reverse("formbuilder:builder-service", args=[service.code])
    form = team.get(url).text
    assert (
        'name="publish_open_data"' in form
        and "checked" not in form.split("publish_open_data")[1][:80]
    )
    settings = {
        **{k: v for k, v in BASE.items() if isinstance(v, str)},
        "target_days": "7",
        "review_mode": "one_step",
        "reviewer_role": "digital_team",
        "approver_role": "digital_team",
        "publish_open_data": "on",
    }
    response = team.post(url, settings)
    assert response.status_code == 302, response.text
    service.refresh_from_db()
    assert service.publish_open_data is True
    assert "service-requests-streetlight" in team.get("/data.json").text
    settings.pop("publish_open_data")
    team.post(url, settings)
    service.refresh_from_db()
    assert service.publish_open_data is False
