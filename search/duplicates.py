"""Near-duplicate alerts (filled in below)."""
