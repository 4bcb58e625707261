"""The two DAG definitions (wiring only: each task calls a function of transforms). They ship with the
package, so an installed worker has them; the files in the project's dags/ folder, which Airflow reads,
import them from here.
"""
