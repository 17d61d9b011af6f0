-- Delivery: how many series (application, Glean client_id, ping name) have a ping_info.seq
-- number stored; seq_gaps.sql lists the numbers missing in them.
SELECT COUNT(*) AS series
FROM (
  SELECT DISTINCT namespace, COALESCE(client_id, '') AS client_key, document_type
  FROM mimic_vpn.all_pings
  WHERE seq IS NOT NULL AND seq >= 0
)
