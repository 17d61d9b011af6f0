-- Question 1: data recorded outside any session. One row per session ping under the inactive
-- id and metric (or event) holding values in it; pings under the inactive id without such a
-- metric have no row (inactive_pings.sql counts them all). @allowed_under_inactive_id
-- (ARRAY<STRING>): the metrics a ping under the inactive id may carry, which are not data here
-- (the identifiers, and the id-retrieval errors the design records exactly when there is no id).
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH inactive AS (
  SELECT document_id, 'vpnsession' AS document_type, ping_info.reason AS reason, submission_timestamp
  FROM mimic_vpn.vpnsession
  WHERE LOWER(metrics.uuid.session_shared_session_id) = '00000000-0000-0000-0000-000000000000'
    AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
  UNION ALL
  SELECT document_id, 'daemonsession', ping_info.reason, submission_timestamp
  FROM mimic_vpn.daemonsession
  WHERE LOWER(metrics.uuid.session_shared_session_id) = '00000000-0000-0000-0000-000000000000'
    AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
),
data AS (
  -- Only the values of those pings: the values of every session ping are many times more rows.
  SELECT document_id, metric, SUM(value_count) AS value_count
  FROM mimic_vpn.metric_values
  WHERE document_type IN ('vpnsession', 'daemonsession')
    AND document_id IN (SELECT document_id FROM inactive)
    AND metric NOT IN UNNEST(@allowed_under_inactive_id)
    AND value_count > 0
  GROUP BY 1, 2
)
SELECT inactive.document_id, inactive.document_type, inactive.reason, data.metric, data.value_count
FROM inactive
JOIN data USING (document_id)
ORDER BY inactive.submission_timestamp, inactive.document_id, data.metric
