-- The denominator of question 1: values in all session pings, and how many sit under the inactive id.
-- @allowed_under_inactive_id (ARRAY<STRING>): metrics that are not counted as values (see inactive_id.sql).
WITH session_ids AS (
  SELECT document_id, LOWER(metrics.uuid.session_shared_session_id) AS session_id FROM mimic_vpn.vpnsession
  UNION ALL
  SELECT document_id, LOWER(metrics.uuid.session_shared_session_id) FROM mimic_vpn.daemonsession
)
SELECT
  COALESCE(SUM(value_count), 0) AS values_total,
  COALESCE(SUM(IF(session_id = '00000000-0000-0000-0000-000000000000', value_count, 0)), 0) AS values_under_inactive_id
FROM mimic_vpn.metric_values
JOIN session_ids USING (document_id)
WHERE document_type IN ('vpnsession', 'daemonsession')
  AND metric NOT IN UNNEST(@allowed_under_inactive_id)
