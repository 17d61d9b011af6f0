-- What the pipeline did with the submissions, per namespace and document type: received by the
-- edge (payload_bytes_raw), refused by the decoder (payload_bytes_error, by error type), kept
-- in the live tables (duplicates included) and in the stable tables (the earliest row per
-- document_id, automation-tagged pings left out). One row per error type; error_type NULL
-- for the counts.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH raw AS (
  SELECT document_namespace AS namespace, document_type, COUNT(*) AS submissions
  FROM payload_bytes_raw.structured
  WHERE (@debug_tag IS NULL OR x_debug_id = @debug_tag)
  GROUP BY 1, 2
),
errors AS (
  SELECT document_namespace AS namespace, document_type, error_type, COUNT(*) AS errors
  FROM payload_bytes_error.structured
  WHERE (@debug_tag IS NULL OR x_debug_id = @debug_tag)
  GROUP BY 1, 2, 3
),
error_totals AS (
  SELECT namespace, document_type, SUM(errors) AS errors
  FROM errors
  GROUP BY 1, 2
),
live AS (
  SELECT
    namespace,
    document_type,
    COUNT(*) AS live_rows,
    COUNT(DISTINCT document_id) AS documents,
    COUNTIF(automation) AS automation
  FROM mimic_vpn.all_live_pings
  WHERE (@debug_tag IS NULL OR x_debug_id = @debug_tag)
  GROUP BY 1, 2
),
stable AS (
  SELECT namespace, document_type, COUNT(*) AS stable_rows
  FROM mimic_vpn.all_pings
  WHERE (@debug_tag IS NULL OR x_debug_id = @debug_tag)
  GROUP BY 1, 2
)
SELECT
  raw.namespace,
  raw.document_type,
  CAST(NULL AS STRING) AS error_type,
  raw.submissions,
  COALESCE(error_totals.errors, 0) AS errors,
  COALESCE(live.live_rows, 0) AS live_rows,
  COALESCE(live.live_rows - live.documents, 0) AS duplicates,
  COALESCE(live.automation, 0) AS automation,
  COALESCE(stable.stable_rows, 0) AS stable_rows
FROM raw
LEFT JOIN error_totals
  ON error_totals.namespace = raw.namespace AND error_totals.document_type = raw.document_type
LEFT JOIN live ON live.namespace = raw.namespace AND live.document_type = raw.document_type
LEFT JOIN stable ON stable.namespace = raw.namespace AND stable.document_type = raw.document_type
UNION ALL
SELECT namespace, document_type, error_type, NULL, errors, NULL, NULL, NULL, NULL
FROM errors
ORDER BY namespace, document_type, error_type
