"""The weekly digest: an e-mail per subscriber with the new significant rises of the last
week in their regions, read from the disclosed alerts view, with a link to the report."""
