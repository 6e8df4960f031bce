"""The aggregator pipeline, step by step: decode -> transform -> batch -> insert -> commit."""
