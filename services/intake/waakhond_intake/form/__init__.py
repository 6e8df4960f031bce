"""The web form for supporters without IT of their own: Dutch, server-rendered pages on
``/formulier`` of intake, submitting through the path of ``POST /v1/signals``."""
