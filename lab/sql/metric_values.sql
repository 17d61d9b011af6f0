-- The denominator of question 1: values in all session pings, and how many sit under the inactive id.
-- @allowed_under_inactive_id (ARRAY<STRING>): metrics that are not counted as values (see inactive_id.sql).
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH inactive AS (
  SELECT document_id FROM mimic_vpn.vpnsession
  WHERE LOWER(metrics.uuid.session_shared_session_id) = '00000000-0000-0000-0000-000000000000'
    AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
  UNION ALL
  SELECT document_id FROM mimic_vpn.daemonsession
  WHERE LOWER(metrics.uuid.session_shared_session_id) = '00000000-0000-0000-0000-000000000000'
    AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
),
total AS (
  SELECT COALESCE(SUM(value_count), 0) AS values_total
  FROM mimic_vpn.metric_values
  WHERE document_type IN ('vpnsession', 'daemonsession')
    AND metric NOT IN UNNEST(@allowed_under_inactive_id)
    AND (@debug_tag IS NULL OR x_debug_id = @debug_tag)
),
-- Summed apart from the total: filtering on the pings under the inactive id is cheaper than
-- looking up the session id of every value.
under_inactive_id AS (
  SELECT COALESCE(SUM(value_count), 0) AS values_under_inactive_id
  FROM mimic_vpn.metric_values
  WHERE document_type IN ('vpnsession', 'daemonsession')
    AND metric NOT IN UNNEST(@allowed_under_inactive_id)
    AND document_id IN (SELECT document_id FROM inactive)
)
SELECT values_total, values_under_inactive_id
FROM total
CROSS JOIN under_inactive_id
