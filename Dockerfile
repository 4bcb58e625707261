# The image of every Airflow service in docker-compose.yaml (api-server, scheduler, dag-processor, Celery
# workers, triggerer): the official Airflow image with this project installed. Docker is not available on
# the development machine: this file is not built there; tests/test_deploy.py checks what it can (the
# base image matches the pinned Airflow and Python, the install is the one benchmarks/celery_demo.sh runs).
FROM apache/airflow:3.3.2-python3.11

# The project at one path in every container: dags/ is the DAG folder, the package and its data travel with it.
COPY --chown=airflow:0 . /opt/event-timeline
WORKDIR /opt/event-timeline
# The same install as benchmarks/celery_demo.sh (the celery extra: provider, Postgres drivers). Airflow
# itself stays at the image's version, which pyproject.toml pins.
RUN pip install --no-cache-dir -e ".[celery]"

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/event-timeline/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    GX_ANALYTICS_ENABLED=false \
    TIMELINE_HOME=/opt/event-timeline \
    TIMELINE_EXPECTATIONS=/opt/event-timeline/expectations \
    TIMELINE_WORKERS=1
WORKDIR /opt/airflow
