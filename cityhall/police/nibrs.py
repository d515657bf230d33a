"""NIBRS property description codes (FBI NIBRS Technical Specification,
data element 15), shown to residents in plain words.

Residents choose from the categories that can be reported online; officers
may recode any item to any code before approval.
"""

from django.utils.translation import gettext_lazy as _

# Every code, with the FBI's wording, for officers and for the records system.
PROPERTY_DESCRIPTIONS = {
    "01": "Aircraft",
    "02": "Alcohol",
    "03": "Automobiles",
    "04": "Bicycles",
    "05": "Buses",
    "06": "Clothes/Furs",
    "07": "Computer Hardware/Software",
    "08": "Consumable Goods",
    "09": "Credit/Debit Cards",
    "10": "Drugs/Narcotics",
    "11": "Drug/Narcotic Equipment",
    "12": "Farm Equipment",
    "13": "Firearms",
    "14": "Gambling Equipment",
    "15": "Heavy Construction/Industrial Equipment",
    "16": "Household Goods",
    "17": "Jewelry/Precious Metals/Gems",
    "18": "Livestock",
    "19": "Merchandise",
    "20": "Money",
    "21": "Negotiable Instruments",
    "22": "Nonnegotiable Instruments",
    "23": "Office-type Equipment",
    "24": "Other Motor Vehicles",
    "25": "Purses/Handbags/Wallets",
    "26": "Radios/TVs/VCRs/DVD Players",
    "27": "Recordings-Audio/Visual",
    "28": "Recreational Vehicles",
    "29": "Structures-Single Occupancy Dwellings",
    "30": "Structures-Other Dwellings",
    "31": "Structures-Other Commercial/Business",
    "32": "Structures-Industrial/Manufacturing",
    "33": "Structures-Public/Community",
    "34": "Structures-Storage",
    "35": "Structures-Other",
    "36": "Tools",
    "37": "Trucks",
    "38": "Vehicle Parts/Accessories",
    "39": "Watercraft",
    "41": "Aircraft Parts/Accessories",
    "42": "Artistic Supplies/Accessories",
    "43": "Building Materials",
    "44": "Camping/Hunting/Fishing Equipment/Supplies",
    "45": "Chemicals",
    "46": "Collections/Collectibles",
    "47": "Crops",
    "48": "Documents-Personal or Business",
    "49": "Explosives",
    "59": "Firearm Accessories",
    "64": "Fuel",
    "65": "Identity Documents",
    "66": "Identity-Intangible",
    "67": "Law Enforcement Equipment",
    "68": "Lawn/Yard/Garden Equipment",
    "69": "Logging Equipment",
    "70": "Medical/Medical Lab Equipment",
    "71": "Metals, Non-Precious",
    "72": "Musical Instruments",
    "73": "Pets",
    "74": "Photographic/Optical Equipment",
    "75": "Portable Electronic Communications",
    "76": "Recreational/Sports Equipment",
    "77": "Other",
    "78": "Trailers",
    "79": "Watercraft Equipment/Parts/Accessories",
    "80": "Weapons-Other",
    "88": "Pending Inventory",
}

# What a resident may report online, in the order people look for them.
RESIDENT_CATEGORIES = [
    ("75", _("Phone, smartwatch or other portable electronics")),
    ("25", _("Purse, handbag or wallet")),
    ("04", _("Bicycle or e-bike")),
    ("07", _("Computer, laptop or tablet")),
    ("65", _("ID card, driver’s license or passport")),
    ("09", _("Credit or debit card")),
    ("20", _("Cash")),
    ("17", _("Jewelry or watch")),
    ("74", _("Camera, glasses or binoculars")),
    ("26", _("TV, radio, speaker or headphones")),
    ("06", _("Clothing or shoes")),
    ("36", _("Tools")),
    ("76", _("Sports or recreation equipment")),
    ("72", _("Musical instrument")),
    ("38", _("Vehicle part or accessory (not the vehicle itself)")),
    ("68", _("Lawn and garden equipment")),
    ("44", _("Camping, hunting or fishing gear (not firearms)")),
    ("16", _("Household goods")),
    ("48", _("Other documents")),
    ("21", _("Checks or money orders")),
    ("23", _("Office equipment")),
    ("46", _("Collectibles")),
    ("42", _("Art supplies")),
    ("77", _("Something else")),
]
RESIDENT_CODES = {code for code, _label in RESIDENT_CATEGORIES}

# NIBRS "Type Property Loss" (data element 14): 7 = Stolen/Etc. Lost property
# is not a crime and has no NIBRS loss type.
LOSS_TYPE_STOLEN = "7"


def officer_choices():
    return [(code, f"{code} {name}") for code, name in PROPERTY_DESCRIPTIONS.items()]


def plain_label(code: str):
    return dict(RESIDENT_CATEGORIES).get(code) or PROPERTY_DESCRIPTIONS.get(code, code)
