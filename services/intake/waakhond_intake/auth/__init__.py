"""Per-organisation API keys, stored hashed."""
