from cityhall.core.roles import CITY_ADMIN, DIGITAL_TEAM

# Who may build, preview, publish and import services (docs/formbuilder.md).
BUILDERS = frozenset({CITY_ADMIN, DIGITAL_TEAM})
