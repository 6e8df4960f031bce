"""Pipeline benchmark: each stage against the limit of the part under it, as a ratio.

``waakhond bench pipeline`` runs, in one process tree on 127.0.0.1, intake vs a
bare FastAPI producer, the classifier vs a pass-through faust agent, the
aggregator vs raw clickhouse-connect inserts of the same rows, and the whole
pipeline at a steady offered rate (latency, memory) and flat out (throughput).
How to run it and what each figure means: ``bench/README.md``.
"""
