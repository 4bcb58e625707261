"""event-timeline: news texts -> dated events per market.

One subpackage per stage, in the order data flows through them:
  ingest/        find, read and clean source files; publication date
  temporal/      the TIMEX3 date tagger
  extract/       sentences, actors, markets, event types -> events
  lake/          table schemas; Parquet staging and commit
  quality/       Great Expectations validation and quarantine
  warehouse/     DuckDB build and atomic publish (+ its SQL)
  report/        the HTML report
  orchestration/ pipeline steps, Airflow glue, the command line
  knowledge/     the data tables (word lists, markets, actors, event types)
  settings.py    every TIMELINE_* setting
"""
