"""Airflow DAG file: `timeline_warehouse`, defined (wiring only) in transforms/orchestration/dags/timeline_warehouse.py.

Point AIRFLOW__CORE__DAGS_FOLDER at this folder (or at the installed package's
transforms/orchestration/dags/, which holds the same definitions).
"""
from transforms.orchestration.dags.timeline_warehouse import dag

if __name__ == "__main__":
    dag.test()
