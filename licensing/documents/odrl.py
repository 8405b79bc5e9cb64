"""The agreement as an ODRL 2.2 policy in JSON-LD (https://www.w3.org/TR/odrl-model/).

An Agreement policy: the creator is the assigner, the producer the assignee,
the listing the target. The permission to `use` carries spatial (territories),
temporal (dateTime, inclusive bounds) and purpose (media) constraints and a
duty to compensate. ODRL has no term for exclusivity: it is stated with our
own `cipx:exclusive` and, for an exclusive licence, as a prohibition on the
assigner to grant use of the same scope to anyone else.
"""

from __future__ import annotations

import json

from ..models import Agreement

ODRL_CONTEXT = "http://www.w3.org/ns/odrl.jsonld"
NAMESPACE = "https://content-ip-exchange.example/ns/licensing#"
PARTY_URN = "urn:content-ip-exchange:user:"
KRW = "https://www.iso.org/iso-4217-currency-codes.html#KRW"


def agreement_odrl(agreement: Agreement, *, base_url: str) -> dict:
    doc = json.loads(agreement.canonical_json)
    terms = doc["terms"]
    base = base_url.rstrip("/")
    target = f"{base}/api/v1/listings/{doc['listing']['id']}/"
    assigner = {"@type": "Party", "uid": f"{PARTY_URN}{doc['licensor']['user_id']}",
                "cipx:name": doc["licensor"]["display_name"]}
    assignee = {"@type": "Party", "uid": f"{PARTY_URN}{doc['licensee']['user_id']}",
                "cipx:name": doc["licensee"]["display_name"]}
    scope = [
        {"leftOperand": "spatial", "operator": "isAnyOf",
         "rightOperand": terms["territories"], "cipx:codes": "ISO 3166-1 alpha-2; WW = worldwide"},
        {"leftOperand": "dateTime", "operator": "gteq",
         "rightOperand": {"@value": terms["start_date"], "@type": "xsd:date"}},
        {"leftOperand": "dateTime", "operator": "lteq",
         "rightOperand": {"@value": terms["end_date"], "@type": "xsd:date"}},
        {"leftOperand": "purpose", "operator": "isAnyOf",
         "rightOperand": [f"cipx:medium/{m}" for m in terms["media"]]},
    ]
    compensation = [{"leftOperand": "payAmount", "operator": "eq",
                     "rightOperand": {"@value": str(terms["fee_krw"]), "@type": "xsd:decimal"},
                     "unit": KRW}]
    if terms["royalty_pct"] is not None:
        compensation.append({"leftOperand": "percentage", "operator": "eq",
                             "rightOperand": {"@value": terms["royalty_pct"],
                                              "@type": "xsd:decimal"},
                             "cipx:of": "licensee revenue from the production"})
    policy = {
        "@context": [ODRL_CONTEXT, {"cipx": NAMESPACE,
                                    "xsd": "http://www.w3.org/2001/XMLSchema#"}],
        "@type": "Agreement",
        "uid": f"{base}/api/v1/agreements/{agreement.pk}/odrl/",
        "profile": NAMESPACE,
        "assigner": assigner,
        "assignee": assignee,
        "target": target,
        "cipx:sha256": agreement.sha256,
        "cipx:exclusive": terms["exclusive"],
        "cipx:production": doc["production"],
        "permission": [{
            "target": target, "assigner": assigner["uid"], "assignee": assignee["uid"],
            "action": "use", "constraint": scope,
            "cipx:exclusive": terms["exclusive"],
            "duty": [{"action": "compensate", "constraint": compensation}],
        }],
    }
    if terms["exclusive"]:
        policy["prohibition"] = [{
            "target": target, "assigner": assigner["uid"], "assignee": assigner["uid"],
            "action": "grantUse", "constraint": scope,
            "cipx:note": "exclusive: the assigner grants no one else use in this scope",
        }]
    return policy
