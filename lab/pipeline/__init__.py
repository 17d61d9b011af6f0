"""The lab's telemetry pipeline, a small copy of Mozilla's: edge, decoder, tables, store.

``edge`` takes submissions as Mozilla's ingestion edge does (it never reads
the body), ``decoder`` turns each one into a decoded ping or a row of the
error table, ``tables`` generates the Mozilla-shaped live and stable tables
and views from the Glean definitions, and ``store`` keeps all of it in an
embedded DuckDB file.  ``lab/sql/`` holds the report's queries, in
BigQuery's dialect, and ``sql_runner`` runs them on DuckDB or Spark.
"""
