"""The periodic signal report (signaleringsrapport): disclosed counts as HTML and PDF, in Dutch.

``period`` parses the periods a report covers, ``data`` reads what it shows from the
disclosed (``suppressed_*``) views only, ``charts`` and ``maps`` draw it, ``render`` fills
the Dutch template and ``pdf`` prints it on A4.
"""
