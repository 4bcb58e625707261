"""Stage 5, warehouse: build the DuckDB warehouse from the lake and publish it atomically (builder.py);
the views and column comments it creates are in sql/.
"""
