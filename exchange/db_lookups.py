"""`has_item`: "this JSON list contains the value", on SQLite and PostgreSQL alike.

Django's own `contains` on JSONField is not supported on SQLite, and list
fields (asset formats, offered media and territories) are filtered exactly.
"""

import json

from django.db.models import JSONField, Lookup


@JSONField.register_lookup
class HasItem(Lookup):
    lookup_name = "has_item"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} @> %s::jsonb", [*lhs_params, json.dumps([self.rhs])]
        return (f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = %s)",
                [*lhs_params, self.rhs])
