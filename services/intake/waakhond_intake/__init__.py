"""Waakhond intake."""
