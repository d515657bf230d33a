"""The API skeleton: OpenAPI, docs, token auth and the error shape."""

from cityhall.accounts.services import issue_api_token, revoke_api_token
from cityhall.api import _field_path, on_validation_error


def test_openapi_document_and_docs(client, db):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "CityHall API"
    assert "/api/v1/me" in spec.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn." not in docs.content  # Swagger UI served from our static files


def test_me_with_a_token(client, make_user):
    user = make_user("robot@staff.example.org", roles=["analyst"], full_name="Robot")
    raw = issue_api_token(user=user).raw
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json() == {
        "email": "robot@staff.example.org",
        "full_name": "Robot",
        "roles": ["analyst"],
    }


def test_missing_bad_and_revoked_tokens_get_401_json(client, make_user):
    user = make_user("robot@staff.example.org", roles=["analyst"])
    issued = issue_api_token(user=user)
    revoke_api_token(token=issued.token)
    for headers in (
        {},
        {"Authorization": "Bearer nonsense"},
        {"Authorization": f"Bearer {issued.raw}"},
    ):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_api_path_is_json_404(client, db):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_validation_errors_are_per_field(rf):
    from ninja.errors import ValidationError

    error = ValidationError(
        [
            {
                "loc": ("body", "payload", "reporter", "email"),
                "msg": "value is not a valid email address",
            },
            {
                "loc": ("body", "payload", "items", 0, "quantity"),
                "msg": "Value error, must be at least 1",
            },
            {"loc": ("query", "status"), "msg": "Input should be 'submitted'"},
        ]
    )
    response = on_validation_error(rf.get("/api/v1/x"), error)
    assert response.status_code == 422
    import json

    body = json.loads(response.content)
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["fields"] == {
        "reporter.email": ["value is not a valid email address"],
        "items.0.quantity": ["must be at least 1"],
        "status": ["Input should be 'submitted'"],
    }
    assert _field_path(()) == "__all__"


def test_catalogue_endpoint_is_public(client, db):
    response = client.get("/api/v1/services")
    assert response.status_code == 200
    assert isinstance(response.json(), list)


def test_every_operation_declares_its_error_responses_in_the_shared_shape(client):
    # So that clients (and the schemathesis fuzz test) know every 4xx body's shape.
    document = client.get("/api/v1/openapi.json").json()
    error_ref = "#/components/schemas/ErrorOut"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (method, path)
            for code in ("400", "401", "404", "409", "422", "429"):
                schema = responses[code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": error_ref}, (method, path, code)
    assert set(document["components"]["schemas"]["ErrorOut"]["required"]) == {"error"}
