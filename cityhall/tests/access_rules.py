"""Who may open what: the declared rule for every URL pattern and API
operation (test_access_matrix.py checks each against the running app).

A rule's `allow` is one of
  PUBLIC     anyone, signed in or not
  SIGNED_IN  anyone with an account
  OWNER      resident A, whose objects fill the URL (nobody else: not B, not staff)
  TOKEN      whoever holds the link (a signed token); a forged token is refused
  JOURNEY    the resident's own journey in their session: someone else's ids in
             it answer exactly as ids that do not exist
  NOBODY     off in production (DEBUG-only pages, /metrics without its token)
  a set of staff roles (with the second factor passed)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cityhall.core.roles import (
    ANALYST,
    CITY_ADMIN,
    DIGITAL_TEAM,
    FACILITY_MANAGER,
    FINANCE_CLERK,
    PERMIT_INSPECTOR,
    PERMIT_REVIEWER,
    POLICE_REVIEWER,
    POLICE_SUPERVISOR,
    STAFF_ROLES,
)

PUBLIC, SIGNED_IN, OWNER, TOKEN, JOURNEY, NOBODY = (
    "public",
    "signed_in",
    "owner",
    "token",
    "journey",
    "nobody",
)
ANY_STAFF = frozenset(STAFF_ROLES)
POLICE = frozenset({POLICE_REVIEWER, POLICE_SUPERVISOR})
PERMITS = frozenset({PERMIT_REVIEWER})
FACILITIES = frozenset({FACILITY_MANAGER})
FINANCE = frozenset({FINANCE_CLERK})

# Which of resident A's objects fills each URL argument, by namespace; a rule's
# `keys` overrides it for one pattern.
ARGUMENTS = {
    "cases": {"reference": "sample_ref", "token": "track_token", "attachment_id": "987654"},
    "police": {
        "reference": "police_ref",
        "item_id": "police_item",
        "token": "resume_token",
        "code": "987654",
        "reason": "emergency",
    },
    "permits": {
        "reference": "permit_ref",
        "step_id": "step_id",
        "condition_id": "condition_id",
        "code": "permit_type",
        "inspection_id": "987654",
        "number": "987654",
    },
    "reservations": {
        "reference": "booking_ref",
        "occurrence_id": "occurrence_id",
        "pk": "unit_id",
        "photo_id": "photo_id",
    },
    "payments": {
        "number": "invoice_number",
        "payment_id": "payment_id",
        "token": "pay_token",
        "payment": "payment_uuid",
        "session_id": "sandbox_session",
    },
    "formbuilder": {
        "reference": "form_ref",
        "code": "form_code",
        "public_id": "form_public_id",
        "page_key": "where",
        "n": "1",
        "key": "where",
    },
    "insights": {"token": "survey_token", "code": "insights_code", "public_id": "987654"},
    "ideas": {"idea_id": "idea_id"},
    "documents": {"code": "987654"},
    "plain": {"message_id": "987654", "index": "0"},
    "payments-plain": {"provider": "sandbox"},
}


@dataclass(frozen=True)
class Rule:
    allow: str | frozenset
    keys: dict = field(default_factory=dict)
    post: bool = True  # denied roles also try a POST
    stateful: bool = False  # an allowed person may get 404 for this object's state
    existence: bool = True  # strangers: A's object and a missing one answer alike
    token_args: tuple = ()
    skip: str = ""  # why it is not requested here
    writes_when_allowed: bool = False
    body: dict | None = None  # API: a valid body, so the refusal is about who asks
    query: str = ""  # API: required query parameters, for the same reason
    also: frozenset = frozenset()  # staff roles let in besides the owner

    def __post_init__(self):
        if isinstance(self.allow, frozenset):
            unknown = self.allow - STAFF_ROLES
            if unknown:
                raise ValueError(f"not staff roles: {sorted(unknown)}")
        elif self.allow not in {PUBLIC, SIGNED_IN, OWNER, TOKEN, JOURNEY, NOBODY}:
            raise ValueError(self.allow)

    def expect(self, role: str) -> bool | None:
        """True: must be let in; False: must be refused; None: not checked."""
        allow = self.allow
        if role in self.also:
            return True
        if isinstance(allow, frozenset):
            return role in allow
        if allow == PUBLIC:
            return True if role in ("anonymous", "resident_b", CITY_ADMIN) else None
        if allow == SIGNED_IN:
            return role != "anonymous" if role in ("anonymous", "resident_a", CITY_ADMIN) else None
        if allow == OWNER:
            return role == "resident_a"
        if allow == TOKEN:
            return True if role in ("anonymous", "resident_b") else None
        if allow == JOURNEY:
            # Answers depend on the session's own draft: only the existence check applies.
            return None
        return False  # NOBODY

    def value_key(self, key: str, name: str) -> str:
        """Which entry of the world's values fills URL argument `key` (or a literal)."""
        if name == "api":
            return self.keys.get(key) or API_ARGUMENTS.get(key, key)
        return self.keys.get(key) or ARGUMENTS.get(name.split(":")[0], {}).get(key, key)

    def value(self, key: str, name: str, values: dict) -> str:
        ref = self.value_key(key, name)
        return values.get(ref, ref)


def staff(*roles: str, **kw) -> Rule:
    return Rule(allow=frozenset(roles), **kw)


def rule_for(name: str) -> Rule:
    return RULES[name]


RULES: dict[str, Rule] = {}

# ---- machines and developers --------------------------------------------
RULES |= {
    "plain:healthz": Rule(PUBLIC),
    "plain:livez": Rule(PUBLIC),
    "plain:metrics": Rule(NOBODY, post=False),  # a bearer token, off when unset
    "plain:mailbox": Rule(NOBODY),  # DEBUG only
    "plain:mailbox-message": Rule(NOBODY),
    "plain:mailbox-attachment": Rule(NOBODY),
    "payments-plain:webhook": Rule(PUBLIC, skip="signed by the provider: test_webhooks.py"),
    "api:openapi-json": Rule(PUBLIC),
    "api:openapi-view": Rule(PUBLIC),
    "api:api-root": Rule(PUBLIC, stateful=True),
}

# API operations are checked through their OpenAPI paths (API_RULES below).
for _name in [
    "list_services",
    "me",
    "fee_estimate",
    "refund",
    "reconciliation",
    "get_invoice",
    "checkout",
    "create_report",
    "list_reports",
    "get_report",
    "approve",
    "reject",
    "request_info",
    "property_search",
    "list_facilities",
    "get_facility",
    "unit_availability",
    "unit_busy",
    "create_booking",
    "get_booking",
    "cancel_booking",
    "list_types",
    "create_application",
    "get_application",
    "change_application",
    "upload_document",
    "check_application",
    "submit_application",
    "search_permits",
    "review_queue",
    "approve_step",
    "request_corrections",
    "deny",
    "add_condition",
    "meet_condition",
    "service_detail",
]:
    RULES[f"api:{_name}"] = Rule(PUBLIC, skip="see API_RULES")

# ---- the front counter and accounts ---------------------------------------
RULES |= {
    "core:home": Rule(PUBLIC),
    "core:accessibility": Rule(PUBLIC),
    "core:privacy": Rule(PUBLIC),
    "core:staff-home": staff(*STAFF_ROLES),
    "accounts:login": Rule(PUBLIC),
    "accounts:logout": Rule(SIGNED_IN, skip="signs the client out; test_sessions_and_lockout.py"),
    "accounts:after-login": Rule(SIGNED_IN, post=False),
    "accounts:two-factor": Rule(SIGNED_IN, skip="staff-only step: test_staff_access.py"),
    "accounts:two-factor-setup": Rule(SIGNED_IN, skip="staff-only step: test_staff_access.py"),
    "accounts:backup-codes": Rule(SIGNED_IN, post=False),
    "accounts:sign-up": Rule(PUBLIC),
    "accounts:account": Rule(SIGNED_IN, post=False),
    "cases:track": Rule(PUBLIC),
    "cases:track-status": Rule(TOKEN, token_args=("token",)),
    "documents:verify": Rule(PUBLIC),
    "documents:verify-code": Rule(PUBLIC, stateful=True),
    "documents:document-html": Rule(PUBLIC, stateful=True),
    "documents:document-pdf": Rule(PUBLIC, stateful=True),
}

# ---- cases, payments ---------------------------------------------------------
RULES |= {
    "cases:queue": staff(*STAFF_ROLES),  # each sees only their services' cases
    "cases:staff-case": staff(PERMIT_REVIEWER),  # the sample service's staff
    "cases:transition": staff(PERMIT_REVIEWER, skip="POST only: tests/test_views.py"),
    "cases:claim": staff(PERMIT_REVIEWER, skip="POST only: tests/test_views.py"),
    "cases:attachment": staff(PERMIT_REVIEWER, stateful=True),
    "payments:sandbox-checkout": Rule(TOKEN, token_args=("session_id",)),
    "payments:invoice": Rule(TOKEN, token_args=("token",)),
    "payments:checkout": Rule(TOKEN, skip="POST only: starts a checkout; test_sandbox_flow.py"),
    "payments:return": Rule(TOKEN, token_args=("token",)),
    "payments:receipt": Rule(TOKEN, token_args=("token",)),
}
_FINANCE = (FINANCE_CLERK, CITY_ADMIN)
for _name in [
    "staff-invoices",
    "staff-payments",
    "staff-flagged",
    "staff-reconciliation",
    "staff-reconciliation-csv",
    "staff-invoice",
    "staff-payment",
]:
    RULES[f"payments:{_name}"] = staff(*_FINANCE, writes_when_allowed=True)
for _name in ["staff-waive", "staff-void", "staff-refund", "staff-resolve"]:
    RULES[f"payments:{_name}"] = staff(*_FINANCE, skip="", stateful=True)

# ---- police -----------------------------------------------------------------
RULES |= {
    "police:start": Rule(PUBLIC),
    "police:begin": Rule(JOURNEY),
    "police:question": Rule(JOURNEY),
    "police:ineligible": Rule(PUBLIC),
    "police:about-you": Rule(JOURNEY),
    "police:incident": Rule(JOURNEY),
    "police:narrative": Rule(JOURNEY),
    "police:items": Rule(JOURNEY),
    "police:item-add": Rule(JOURNEY),
    "police:item-edit": Rule(JOURNEY),
    "police:item-remove": Rule(JOURNEY),
    "police:check": Rule(JOURNEY),
    "police:sent": Rule(JOURNEY),
    "police:resume": Rule(TOKEN, token_args=("token",), writes_when_allowed=True),
    "police:amend": Rule(TOKEN, token_args=("token",), stateful=True),
    "police:queue": staff(POLICE_REVIEWER, POLICE_SUPERVISOR),
    "police:serial-search": staff(POLICE_REVIEWER, POLICE_SUPERVISOR),
    "police:export-errors": staff(POLICE_SUPERVISOR),
    "police:counter-start": staff(POLICE_REVIEWER, POLICE_SUPERVISOR),
    "police:staff-report": staff(POLICE_REVIEWER, POLICE_SUPERVISOR, writes_when_allowed=True),
    "police:document": staff(POLICE_REVIEWER, POLICE_SUPERVISOR, stateful=True),
}
for _name in ["approve", "reject", "request-info", "refer", "recode"]:
    RULES[f"police:{_name}"] = staff(POLICE_REVIEWER, POLICE_SUPERVISOR, stateful=True)

# ---- reservations -----------------------------------------------------------
RULES |= {
    "reservations:start": Rule(PUBLIC),
    "reservations:facility": Rule(PUBLIC, keys={"pk": "facility_id"}),
    "reservations:photo": Rule(PUBLIC, keys={"pk": "facility_id"}, stateful=True),
    "reservations:unit": Rule(PUBLIC),
    "reservations:unit-feed": Rule(PUBLIC),
    "reservations:book": Rule(PUBLIC, stateful=True),
    "reservations:series": Rule(SIGNED_IN, existence=False),  # units are public
    "reservations:sign-in": Rule(PUBLIC, post=False),
    "reservations:mine": Rule(SIGNED_IN),
    "reservations:booking": Rule(OWNER),
    "reservations:confirm": Rule(OWNER, stateful=True),
    "reservations:cancel": Rule(OWNER),
    "reservations:cancel-date": Rule(OWNER),
    "reservations:change": Rule(OWNER),
    "reservations:booking-ics": Rule(OWNER),
    "reservations:booking-pdf": Rule(OWNER, stateful=True),
    "reservations:leave-waitlist": Rule(OWNER, stateful=True, keys={"pk": "987654"}),
    "reservations:staff-unblock": staff(FACILITY_MANAGER, keys={"pk": "987654"}, stateful=True),
    "reservations:staff-booking": staff(FACILITY_MANAGER, writes_when_allowed=True),
    "reservations:staff-book-for-caller": staff(FACILITY_MANAGER, stateful=True),
}
for _name in ["staff-today", "staff-approvals", "staff-utilization", "staff-blocks"]:
    RULES[f"reservations:{_name}"] = staff(FACILITY_MANAGER)
for _name in ["approve", "deny", "cancel", "cancel-date", "move", "keep-deposit"]:
    RULES[f"reservations:staff-{_name}"] = staff(FACILITY_MANAGER, stateful=True)

# ---- permits ----------------------------------------------------------------
RULES |= {
    "permits:start": Rule(PUBLIC),
    "permits:type": Rule(PUBLIC),
    "permits:begin": Rule(SIGNED_IN, skip="POST only: starts a draft; test_journey.py"),
    "permits:sign-in": Rule(PUBLIC, post=False),
    "permits:search": Rule(PUBLIC),
    "permits:public-permit": Rule(PUBLIC, stateful=True),
    "permits:mine": Rule(SIGNED_IN),
    "permits:queue": staff(PERMIT_REVIEWER),
    "permits:staff-application": staff(PERMIT_REVIEWER, writes_when_allowed=True),
    # Field inspectors and reviewers (permits.workflow.INSPECTORS); inspectors review nothing.
    "permits:inspections": staff(PERMIT_INSPECTOR, PERMIT_REVIEWER),
    "permits:inspection": staff(PERMIT_INSPECTOR, PERMIT_REVIEWER, stateful=True),
    "permits:inspection-file": staff(
        PERMIT_INSPECTOR, PERMIT_REVIEWER, keys={"attachment_id": "987654"}, stateful=True
    ),
}
for _name in [
    "application",
    "details",
    "address",
    "contacts",
    "documents",
    "check",
    "pay",
    "reopen",
    "withdraw",
    "corrections",
    "permit-pdf",
    "renew",
    "book-inspection",
    "cancel-inspection",
]:
    RULES[f"permits:{_name}"] = Rule(OWNER, stateful=True)
for _name in [
    "staff-approve",
    "staff-corrections",
    "staff-deny",
    "staff-add-condition",
    "staff-meet-condition",
]:
    RULES[f"permits:{_name}"] = staff(PERMIT_REVIEWER, stateful=True)

# ---- services built without code ---------------------------------------------
_BUILDERS = (CITY_ADMIN, DIGITAL_TEAM)
for _name in [
    "builder",
    "builder-create",
    "builder-import",
    "builder-service",
    "builder-page",
    "builder-page-action",
    "builder-preview",
    "builder-preview-page",
    "builder-publish",
    "builder-unpublish",
    "builder-export",
    "builder-json",
]:
    RULES[f"formbuilder:{_name}"] = staff(*_BUILDERS, post=False, stateful=True)
RULES |= {
    "formbuilder:start": Rule(PUBLIC, post=False),
    "formbuilder:page": Rule(OWNER),
    "formbuilder:contact": Rule(OWNER),
    "formbuilder:check": Rule(OWNER),
    "formbuilder:sent": Rule(OWNER),
    "formbuilder:pay": Rule(OWNER, stateful=True),
    # The streetlight service is reviewed by city administrators (its definition says so).
    "formbuilder:staff-case": staff(CITY_ADMIN, writes_when_allowed=True),
    "formbuilder:staff-decide": staff(CITY_ADMIN, stateful=True),
}

# ---- reporting ------------------------------------------------------------------
# Insights: analysts, city administrators and the digital team (it measures what it builds).
_READERS = (ANALYST, CITY_ADMIN, DIGITAL_TEAM)
RULES |= {
    "insights:survey": Rule(TOKEN, token_args=("token",), stateful=True),
    "insights:dashboard": staff(*_READERS),
    "insights:service": staff(*_READERS),
    "insights:request-report": staff(*_READERS, stateful=True),
    "insights:download-report": staff(*_READERS, stateful=True),
    "insights:costs": staff(*_READERS),
}
# Open data: public pages and downloads (published figures only; no one's own data).
RULES |= {
    "opendata:transparency": Rule(PUBLIC),
    "opendata:datasets": Rule(PUBLIC),
    "opendata:dataset": Rule(PUBLIC, keys={"slug": "dataset_slug"}),
    "opendata-plain:data-json": Rule(PUBLIC),
    "opendata-plain:download-csv": Rule(PUBLIC, keys={"slug": "dataset_slug"}),
    "opendata-plain:download-json": Rule(PUBLIC, keys={"slug": "dataset_slug"}),
}
# Open311 GeoReport v2: public reads; posting needs an api_key. Regex routes
# (one per format); opendata/open311/tests request every one, with and without a key.
for _name in ["services", "service", "requests", "request", "token", "not-found"]:
    RULES[f"opendata-plain:open311-{_name}"] = Rule(
        PUBLIC, skip="regex route: covered by cityhall/opendata/open311/tests"
    )
# Every staff member may propose, support and discuss ideas; triage
# (ideas.services.TRIAGERS) is the digital team, analysts and city administrators.
for _name in ["list", "propose", "similar", "estimate", "wins", "digest", "detail"]:
    RULES[f"ideas:{_name}"] = staff(*STAFF_ROLES, post=False)
for _name in ["support", "comment", "name-consent"]:
    RULES[f"ideas:{_name}"] = staff(*STAFF_ROLES, post=False, stateful=True)
for _name in ["queue", "backlog"]:
    RULES[f"ideas:{_name}"] = staff(*_READERS)
for _name in ["state", "build", "link", "merge", "publish"]:
    RULES[f"ideas:{_name}"] = staff(*_READERS, stateful=True)

# ---- the JSON API, by OpenAPI operation ---------------------------------------
_POLICE = (POLICE_REVIEWER, POLICE_SUPERVISOR)
_INVOICE = {"reference": "invoice_number"}
_PERMIT = {"reference": "permit_ref", "code": "site-plan"}
_BOOKING = {"reference": "booking_ref"}
API_RULES: dict[str, Rule] = {
    "GET /api/v1/services": Rule(PUBLIC),
    "GET /api/v1/me": Rule(SIGNED_IN),
    "POST /api/v1/payments/fee-estimate": Rule(PUBLIC),
    "POST /api/v1/payments/{payment_id}/refund": staff(
        FINANCE_CLERK, body={"amount_cents": 100, "reason": "Matrix"}, writes_when_allowed=True
    ),
    "GET /api/v1/payments/reconciliation": staff(*_FINANCE),
    # The payer reaches an invoice with the link's token; by bearer token, only staff.
    "GET /api/v1/invoices/{reference}": staff(*_FINANCE, PERMIT_REVIEWER, keys=_INVOICE),
    "POST /api/v1/invoices/{reference}/checkout": staff(
        *_FINANCE, PERMIT_REVIEWER, keys=_INVOICE, stateful=True
    ),
    "POST /api/v1/police/reports": Rule(PUBLIC),
    "GET /api/v1/police/reports": staff(*_POLICE),
    "GET /api/v1/police/reports/{reference}": staff(
        *_POLICE, keys={"reference": "police_ref"}, writes_when_allowed=True
    ),
    "POST /api/v1/police/reports/{reference}/approve": staff(
        *_POLICE, keys={"reference": "police_ref"}, body={}, writes_when_allowed=True
    ),
    "POST /api/v1/police/reports/{reference}/reject": staff(
        *_POLICE,
        keys={"reference": "police_ref"},
        body={"reason": "outside-jurisdiction"},
        stateful=True,
    ),
    "POST /api/v1/police/reports/{reference}/request-info": staff(
        *_POLICE, keys={"reference": "police_ref"}, body={"message": "Which bike?"}, stateful=True
    ),
    "GET /api/v1/police/property": staff(*_POLICE, query="?serial=WTU"),
    "GET /api/v1/facilities": Rule(PUBLIC),
    "GET /api/v1/facilities/{facility_id}": Rule(PUBLIC),
    "GET /api/v1/units/{unit_id}/availability": Rule(PUBLIC),
    "GET /api/v1/units/{unit_id}/busy.ics": Rule(PUBLIC),
    "POST /api/v1/bookings": Rule(SIGNED_IN),
    # Facility managers read and cancel any booking (a manager's cancel needs a reason).
    "GET /api/v1/bookings/{reference}": Rule(OWNER, keys=_BOOKING, also=FACILITIES),
    "POST /api/v1/bookings/{reference}/cancel": Rule(
        OWNER, keys=_BOOKING, body={}, also=FACILITIES, stateful=True
    ),
    "GET /api/v1/permits/types": Rule(PUBLIC),
    "POST /api/v1/permits/applications": Rule(SIGNED_IN),
    # Permit reviewers may read any application (permits.api.own_application).
    "GET /api/v1/permits/applications/{reference}": Rule(OWNER, keys=_PERMIT, also=PERMITS),
    "PATCH /api/v1/permits/applications/{reference}": Rule(
        OWNER, keys=_PERMIT, body={"description": "Changed"}
    ),
    "POST /api/v1/permits/applications/{reference}/documents/{code}": Rule(
        OWNER, keys=_PERMIT, skip="multipart upload: permits/tests/test_api.py"
    ),
    "POST /api/v1/permits/applications/{reference}/check": Rule(OWNER, keys=_PERMIT),
    "POST /api/v1/permits/applications/{reference}/submit": Rule(OWNER, keys=_PERMIT),
    "GET /api/v1/permits/search": Rule(PUBLIC),
    "GET /api/v1/permits/review": staff(PERMIT_REVIEWER),
    "POST /api/v1/permits/applications/{reference}/steps/{step_id}/approve": staff(
        PERMIT_REVIEWER, keys=_PERMIT, body={"note": ""}, writes_when_allowed=True
    ),
    "POST /api/v1/permits/applications/{reference}/steps/{step_id}/request-corrections": staff(
        PERMIT_REVIEWER, keys=_PERMIT, body={"message": "Fix the plan"}, stateful=True
    ),
    "POST /api/v1/permits/applications/{reference}/steps/{step_id}/deny": staff(
        PERMIT_REVIEWER, keys=_PERMIT, body={"reason": "No"}, stateful=True
    ),
    "POST /api/v1/permits/applications/{reference}/conditions": staff(
        PERMIT_REVIEWER, keys=_PERMIT, body={"text": "Tidy"}, writes_when_allowed=True
    ),
    "POST /api/v1/permits/applications/{reference}/conditions/{condition_id}/met": staff(
        PERMIT_REVIEWER, keys=_PERMIT, body={}, stateful=True, writes_when_allowed=True
    ),
    "GET /api/v1/insights/services": staff(*_READERS),
    "GET /api/v1/insights/services/{code}": staff(
        *_READERS, keys={"code": "insights_code"}, stateful=True
    ),
}
API_ARGUMENTS = {
    "payment_id": "payment_id",
    "facility_id": "facility_id",
    "unit_id": "unit_id",
    "step_id": "step_id",
    "condition_id": "condition_id",
}


def api_value(key: str, param: str, values: dict) -> str:
    return API_RULES[key].value(param, "api", values)
