from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = "IP listings"

    def ready(self):
        from exchange import db_lookups  # noqa: F401  registers JSONField has_item
