"""Waakhond stack."""
