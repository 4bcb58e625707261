"""Orchestration: the pipeline's steps as plain functions (pipeline.py), the Airflow glue that the DAGs in
dags/ use (dag_support.py) and the `timeline` command line (cli.py).
"""
