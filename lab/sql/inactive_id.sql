-- Question 1: data recorded outside any session. One row per session ping under the inactive
-- id and metric (or event) holding values in it; pings under the inactive id without such a
-- metric have no row (inactive_pings.sql counts them all). @allowed_under_inactive_id
-- (ARRAY<STRING>): the metrics a ping under the inactive id may carry, which are not data here
-- (the identifiers, and the id-retrieval errors the design records exactly when there is no id).
-- The inactive id has no letter, so the id is compared as sent, without LOWER: the same
-- answer, and a comparison the engine can make while it scans.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH data AS (
  -- The filters on the session id and the value count come first: metric_values has a row
  -- per metric of every ping, and few of them hold a value under the inactive id.
  SELECT document_type, document_id, metric, SUM(value_count) AS value_count
  FROM mimic_vpn.metric_values
  WHERE document_type IN ('vpnsession', 'daemonsession')
    AND session_id = '00000000-0000-0000-0000-000000000000'
    AND value_count > 0
    AND metric NOT IN UNNEST(@allowed_under_inactive_id)
    AND (@debug_tag IS NULL OR x_debug_id = @debug_tag)
  GROUP BY 1, 2, 3
),
inactive AS (
  SELECT document_id, 'vpnsession' AS document_type, ping_info.reason AS reason, submission_timestamp
  FROM mimic_vpn.vpnsession
  WHERE metrics.uuid.session_shared_session_id = '00000000-0000-0000-0000-000000000000'
    AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
  UNION ALL
  SELECT document_id, 'daemonsession', ping_info.reason, submission_timestamp
  FROM mimic_vpn.daemonsession
  WHERE metrics.uuid.session_shared_session_id = '00000000-0000-0000-0000-000000000000'
    AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
)
SELECT inactive.document_id, inactive.document_type, inactive.reason, data.metric, data.value_count
FROM inactive
JOIN data USING (document_id, document_type)
ORDER BY inactive.submission_timestamp, inactive.document_id, data.metric
