"""The roles a person can hold, as Django groups.

Groups are created by data migrations so every installation has the same
roles: accounts 0002 made the first ones, and a role added later gets its
group from a migration of the app it belongs to (digital_team: formbuilder
0002; permit_inspector: permits 0003). Service apps grant their permissions
to these groups in their own migrations.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    description: str
    staff: bool = True


RESIDENT = "resident"
POLICE_REVIEWER = "police_reviewer"
POLICE_SUPERVISOR = "police_supervisor"
PERMIT_REVIEWER = "permit_reviewer"
PERMIT_INSPECTOR = "permit_inspector"
FACILITY_MANAGER = "facility_manager"
FINANCE_CLERK = "finance_clerk"
ANALYST = "analyst"
CITY_ADMIN = "city_admin"
DIGITAL_TEAM = "digital_team"

ROLES: dict[str, Role] = {
    role.code: role
    for role in [
        Role(RESIDENT, _("Resident"), _("Files requests and tracks them."), staff=False),
        Role(POLICE_REVIEWER, _("Police reviewer"), _("Reviews online police reports.")),
        Role(
            POLICE_SUPERVISOR,
            _("Police supervisor"),
            _("Second-level review of police reports; sees the export error queue."),
        ),
        Role(PERMIT_REVIEWER, _("Permit reviewer"), _("Reviews permit applications.")),
        Role(
            PERMIT_INSPECTOR,
            _("Permit inspector"),
            _("Inspects permitted work on site and records the results."),
        ),
        Role(FACILITY_MANAGER, _("Facility manager"), _("Manages facilities and bookings.")),
        Role(FINANCE_CLERK, _("Finance clerk"), _("Waivers, refunds and reconciliation.")),
        Role(ANALYST, _("Analyst"), _("Reads service performance and cost figures.")),
        Role(CITY_ADMIN, _("City administrator"), _("Configures services, users and roles.")),
        Role(
            DIGITAL_TEAM,
            _("Digital team"),
            _("Builds, previews and publishes online services without code."),
        ),
    ]
}

STAFF_ROLES = frozenset(code for code, role in ROLES.items() if role.staff)
