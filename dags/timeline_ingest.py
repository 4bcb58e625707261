"""Airflow DAG file: `timeline_ingest`, defined (wiring only) in transforms/orchestration/dags/timeline_ingest.py.

Point AIRFLOW__CORE__DAGS_FOLDER at this folder (or at the installed package's
transforms/orchestration/dags/, which holds the same definitions).
"""
from transforms.orchestration.dags.timeline_ingest import dag

if __name__ == "__main__":
    dag.test()
