-- The denominator of question 1: the values in all session pings. The values under the inactive
-- id, its numerator, are the sum of inactive_id.sql's value_count.
-- @allowed_under_inactive_id (ARRAY<STRING>): metrics that are not counted as values (see inactive_id.sql).
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
SELECT COALESCE(SUM(value_count), 0) AS values_total
FROM mimic_vpn.metric_values
WHERE document_type IN ('vpnsession', 'daemonsession')
  AND metric NOT IN UNNEST(@allowed_under_inactive_id)
  AND (@debug_tag IS NULL OR x_debug_id = @debug_tag)
