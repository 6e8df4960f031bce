"""Waakhond classifier."""
