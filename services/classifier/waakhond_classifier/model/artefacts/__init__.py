"""The trained classifier, shipped as package data (see ``artefact.py``)."""
