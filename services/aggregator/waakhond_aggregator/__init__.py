"""Waakhond aggregator."""
