"""The report printed on A4 with WeasyPrint (HTML and CSS to PDF; pango lays out the text)."""

from __future__ import annotations

import threading

# WeasyPrint's font configuration is shared by every document it renders.
_LOCK = threading.Lock()


def render_pdf(html: str) -> bytes:
    # Imported here: only PDF output needs WeasyPrint and the system's pango.
    from weasyprint import HTML

    with _LOCK:
        document: bytes = HTML(string=html).write_pdf()
    return document
