-- Delivery delay per application and ping: submission_timestamp (stamped by the edge) minus
-- ping_info.end_time (when the client assembled the ping). Negative delays mean the client's
-- clock is ahead of the edge's. The difference of UNIX_MILLIS is TIMESTAMP_DIFF(..., MILLISECOND)
-- here (end_time has whole milliseconds), computed as a subtraction: DuckDB's TIMESTAMP_DIFF
-- counts calendar boundaries, a third of a CPU-second over a million pings.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
SELECT
  namespace AS app,
  document_type AS ping,
  COUNT(*) AS pings,
  COUNTIF(delay_ms < 0) AS negative,
  MIN(delay_ms) AS min_ms,
  MAX(delay_ms) AS max_ms,
  SUM(delay_ms) AS total_ms
FROM (
  SELECT namespace, document_type, UNIX_MILLIS(submission_timestamp) - UNIX_MILLIS(end_time) AS delay_ms
  FROM mimic_vpn.all_pings
  WHERE end_time IS NOT NULL AND (@debug_tag IS NULL OR x_debug_id = @debug_tag)
)
GROUP BY 1, 2
ORDER BY 1, 2
