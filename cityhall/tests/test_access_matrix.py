"""The access matrix: every URL pattern and every API operation, for every role
(anonymous, resident A, resident B, each staff role with its second factor
passed), against objects that belong to resident A.

Each pattern has a declared rule below; a pattern without one fails the test,
so a new page cannot ship without someone deciding who may open it. Denied
means 401/403/404/405 or a redirect to a sign-in step, with no row written or
changed anywhere; residents never reach each other's cases; and a stranger
gets the same answer for someone else's object as for one that does not exist.

One test walks everything (one database set-up) and reports every breach at
once. Requests go through Django's test client without CSRF enforcement, so
what is tested is the authorisation itself (CSRF has its own tests).
"""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cityhall.core.roles import STAFF_ROLES

from .access_rules import API_RULES, JOURNEY, RULES, Rule, rule_for
from .access_world import build_world

pytestmark = pytest.mark.django_db

STAFF = sorted(STAFF_ROLES)
ROLES = ["anonymous", "resident_a", "resident_b", *STAFF]
SIGN_IN_PATHS = ("/sign-in/", "/two-factor/", "/admin/login/")
MISSING_REFERENCE = "ZZ-2026-99999-Z"


# ---- the URL patterns ------------------------------------------------------


def url_patterns():
    """(name, route, kwargs) of every pattern, walking includes."""

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace]))
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = ":".join(filter(None, [namespace, p.name or ""]))
                yield name, prefix + str(p.pattern), list(p.pattern.converters)

    return list(walk(get_resolver().url_patterns, "", ""))


def _is_admin(name: str) -> bool:
    return name == "admin" or name.startswith("admin:")


def api_operations():
    from cityhall.api import api

    schema = api.get_openapi_schema()
    return [
        (f"{method.upper()} {path}", path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
    ]


# ---- what the answers mean --------------------------------------------------


def is_sign_in_redirect(response) -> bool:
    return response.status_code in (301, 302) and any(
        step in response.get("Location", "") for step in SIGN_IN_PATHS
    )


def is_denied(response) -> bool:
    return response.status_code in (401, 403, 404, 405) or is_sign_in_redirect(response)


def is_allowed(response, rule: Rule) -> bool:
    if response.status_code >= 500 or response.status_code in (401, 403):
        return False
    if is_sign_in_redirect(response):
        return False
    return rule.stateful or response.status_code != 404


_COUNTS_SQL: list[str] = []


def fingerprint() -> tuple:
    """Row counts of every table that holds the city's business, and the states
    that a decision changes: a refused request must leave all of it as it was.
    One statement, so it can run around every pattern."""
    from django.db import connection

    if not _COUNTS_SQL:
        tables = sorted(
            model._meta.db_table
            for model in apps.get_models()
            if model._meta.app_label not in {"sessions", "axes", "admin", "core", "contenttypes"}
            and model._meta.managed
            and not model._meta.proxy
        )
        counts = ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in tables)  # noqa: S608
        _COUNTS_SQL.append(f"SELECT {counts}")
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_SQL[0])
        counts = cursor.fetchone()
        cursor.execute("SELECT status, assigned_to_id FROM cases_case ORDER BY id")
        states = cursor.fetchall()
    return tuple(counts), tuple(states)


def _missing_value(key: str, value: str) -> str:
    if key.endswith("_ref") or key == "invoice_number":
        return MISSING_REFERENCE
    if key.endswith("_token") or key == "sandbox_session":
        return value[:-6] + "AAAAAA"
    if key.endswith("uuid") or key.endswith("public_id"):
        return str(uuid.uuid4())
    if value.isdigit():
        return "987654"
    return "no-such-" + value


# ---- the test ------------------------------------------------------------


def test_every_url_has_a_declared_rule():
    names = {name for name, _route, _args in url_patterns() if not _is_admin(name)}
    assert sorted(names - set(RULES)) == [], "declare who may open these in access_rules.py"
    assert sorted(set(RULES) - names) == [], "rules for patterns that no longer exist"
    operations = {key for key, _path, _method in api_operations()}
    assert sorted(operations - set(API_RULES)) == [], "declare these API operations"
    assert sorted(set(API_RULES) - operations) == []


def test_access_matrix(make_user, settings):
    world = build_world(make_user, settings)
    breaches: list[str] = []
    for name, route, kwargs in url_patterns():
        if _is_admin(name) or rule_for(name).skip:
            continue
        breaches += _check_pattern(world, name, rule_for(name), "/" + route, kwargs)
    breaches += _check_admin(world)
    breaches += _check_api(world)
    assert not breaches, "\n".join(breaches)


def _order(rule: Rule) -> tuple[list[str], list[str]]:
    """(roles to refuse, roles to let in): refusals first, so that what an
    allowed request writes (a logged read, a decision) cannot hide a side effect."""
    expectations = {role: rule.expect(role) for role in ROLES}
    return (
        [role for role, e in expectations.items() if e is False],
        [role for role, e in expectations.items() if e is True],
    )


def _check_pattern(world, name, rule, path, kwargs) -> list[str]:
    breaches = []
    filled = {k: rule.value(k, name, world.values) for k in kwargs}
    keys = {k: rule.value_key(k, name) for k in kwargs}
    url = _substitute(path, kwargs, filled)
    missing_url = _substitute(
        path, kwargs, {k: _missing_value(keys[k], v) for k, v in filled.items()}
    )
    refused, admitted = _order(rule)
    # Every refused role GETs; anonymous, the residents and one staff role also
    # POST (the same guard answers both, and the suite must stay fast).
    posting = set(refused[:4])
    before = fingerprint()
    for role in refused:
        client = world.clients[role]
        response = client.get(url)
        if not is_denied(response):
            breaches.append(f"{role} reached {name} ({url}): {response.status_code}")
        if rule.post and role in posting:
            posted = client.post(url, {"reason": "x", "transition": "approve", "note": "x"})
            if not is_denied(posted):
                breaches.append(f"{role} POSTed to {name}: {posted.status_code}")
        if kwargs and rule.existence and role in ("anonymous", "resident_b"):
            missing = client.get(missing_url)
            if missing.status_code != response.status_code:
                breaches.append(
                    f"{role} can tell {name} exists: {response.status_code} for A's, "
                    f"{missing.status_code} for none"
                )
    if rule.allow == JOURNEY and kwargs:
        # Someone else's ids in my journey answer as ids that do not exist.
        client = world.clients["resident_b"]
        mine, none = client.get(url), client.get(missing_url)
        if (mine.status_code, mine.get("Location")) != (none.status_code, none.get("Location")):
            breaches.append(f"resident_b can tell {name} exists")
    if rule.token_args:
        forged = {
            k: (_missing_value(keys[k], v) if k in rule.token_args else v)
            for k, v in filled.items()
        }
        response = world.clients["resident_b"].get(_substitute(path, kwargs, forged))
        if not is_denied(response) and response.status_code != 200:
            breaches.append(f"a forged link to {name}: {response.status_code}")
        elif response.status_code == 200 and b"expired" not in response.content.lower():
            breaches.append(f"a forged link opened {name}")
    if fingerprint() != before:
        breaches.append(f"refused requests to {name} changed data")
    for role in admitted:
        response = world.clients[role].get(url)
        if not is_allowed(response, rule):
            breaches.append(f"{role} refused {name} ({url}): {response.status_code}")
    return breaches


def _substitute(path: str, kwargs: list[str], values: dict) -> str:
    import re

    for key in kwargs:
        path = re.sub(r"<(?:[a-z]+:)?" + key + ">", values[key], path, count=1)
    return path


def _check_admin(world) -> list[str]:
    """Nobody without a staff role and a second factor gets into the admin."""
    breaches = []
    before = fingerprint()
    for name, route, kwargs in url_patterns():
        if not _is_admin(name):
            continue
        url = _substitute("/" + route, kwargs, dict.fromkeys(kwargs, "1"))
        # Resident B tries every admin page; the others the lists (where the
        # bulk actions are posted): one guard answers them all, and it is quick.
        lists = name.endswith(("_changelist", ":index"))
        for role in ("anonymous", "resident_a", "resident_b"):
            if role != "resident_b" and not lists:
                continue
            client = world.clients[role]
            responses = [client.get(url)]
            if lists:
                responses.append(
                    client.post(url, {"action": "delete_selected", "_selected_action": 1})
                )
            for response in responses:
                if not is_denied(response):
                    breaches.append(f"{role} reached {name}: {response.status_code}")
    if fingerprint() != before:
        breaches.append("requests to the admin changed data")
    return breaches


def _check_api(world) -> list[str]:
    import re

    from .access_rules import api_value

    breaches = []
    for key, path, method in api_operations():
        rule = API_RULES[key]
        if rule.skip:
            continue
        params = re.findall(r"{(\w+)}", path)
        filled = {p: api_value(key, p, world.values) for p in params}
        url = path.format(**filled) + rule.query
        missing = (
            path.format(
                **{p: _missing_value(rule.value_key(p, "api"), v) for p, v in filled.items()}
            )
            + rule.query
        )
        refused, admitted = _order(rule)
        client = world.clients["anonymous"]  # bearer tokens only, no session
        before = fingerprint()
        for role in refused:
            response = _api_call(client, method, url, _bearer(world, role), rule.body)
            if response.status_code not in (401, 403, 404, 405):
                breaches.append(f"{role} reached {key}: {response.status_code}")
            if params and rule.existence and role in ("anonymous", "resident_b"):
                other = _api_call(client, method, missing, _bearer(world, role), rule.body)
                if other.status_code != response.status_code:
                    breaches.append(
                        f"{role} can tell {key} exists: {response.status_code} vs "
                        f"{other.status_code}"
                    )
        if fingerprint() != before:
            breaches.append(f"refused calls to {key} changed data")
        for role in admitted:
            response = _api_call(client, method, url, _bearer(world, role), rule.body)
            if not is_allowed(response, rule):
                breaches.append(f"{role} refused {key}: {response.status_code}")
    return breaches


def _bearer(world, role) -> dict:
    return {} if role == "anonymous" else {"Authorization": f"Bearer {world.tokens[role]}"}


def _api_call(client, method, url, headers, body=None):
    import json

    if method == "GET":
        return client.get(url, headers=headers)
    data = json.dumps(body if body is not None else {})
    return client.generic(method, url, data=data, content_type="application/json", headers=headers)


def test_a_missing_role_in_a_rule_is_an_error():
    with pytest.raises(ValueError):
        Rule(allow=frozenset({"no_such_role"}))


def test_staff_sessions_without_a_second_factor_are_denied(make_user):
    """The matrix signs staff in with their second factor; without it, every
    staff page sends them to the second-factor step."""
    user = make_user("half@matrix.example.org", roles=["police_reviewer"])
    client = Client()
    client.force_login(user)
    response = client.get("/staff/police/")
    assert is_sign_in_redirect(response), response.status_code
