"""The closed lists of the domain: what a producer, a buyer, a linkage, a party, a technology and an
account can be. The models check them in the database; the command line offers them in its help
without loading the models."""

from __future__ import annotations

PRODUCER_KINDS = ("household", "farm", "cooperative_group", "enterprise")
BUYER_KINDS = ("processor", "trader", "exporter", "retailer", "enterprise", "other")
LINKAGE_FORMS = ("production_consumption", "full_chain", "input_supply", "other")
PARTY_TYPES = ("cooperative", "producer", "buyer", "raw_material_area")
TECHNOLOGIES = (
    "traceability",
    "e_commerce",
    "e_contract",
    "digital_payment",
    "farm_management",
    "iot_sensing",
    "gis_mapping",
    "other",
)
ROLES = ("admin", "planner", "officer", "cooperative")
