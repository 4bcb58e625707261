"""Stage 3, lake: the pyarrow schema of every table (schema.py, the one source of truth for writer,
validator and warehouse) and the Parquet lake's staging and atomic commit (store.py).
"""
