-- Delivery: how many series (application, Glean client_id, ping name) have a ping_info.seq
-- number stored; seq_gaps.sql lists the numbers missing in them.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
SELECT COUNT(*) AS series
FROM (
  SELECT DISTINCT namespace, COALESCE(client_id, '') AS client_key, document_type
  FROM mimic_vpn.all_pings
  WHERE seq IS NOT NULL AND seq >= 0 AND (@debug_tag IS NULL OR x_debug_id = @debug_tag)
)
