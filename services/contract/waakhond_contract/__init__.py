"""The shared contract of Waakhond: message models, vocabularies, regions and settings.

Every service imports this package and never another service. The JSON Schema
files in ``schemas/`` are generated from the models here.
"""
