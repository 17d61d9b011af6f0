-- Delivery delay per application and ping: submission_timestamp (stamped by the edge) minus
-- ping_info.end_time (when the client assembled the ping). Negative delays mean the client's
-- clock is ahead of the edge's.
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
  SELECT namespace, document_type, TIMESTAMP_DIFF(submission_timestamp, end_time, MILLISECOND) AS delay_ms
  FROM mimic_vpn.all_pings
  WHERE end_time IS NOT NULL AND (@debug_tag IS NULL OR x_debug_id = @debug_tag)
)
GROUP BY 1, 2
ORDER BY 1, 2
