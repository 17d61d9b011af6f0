-- Delivery: the ping_info.seq numbers missing per series (application, Glean client_id, ping
-- name), as inclusive ranges; one row per series, with NULL ranges when nothing is missing.
-- @counted_from_zero: count from 0, or (when only the latest pings were loaded) from the
-- lowest stored seq.
WITH series AS (
  SELECT DISTINCT namespace AS app, client_id, COALESCE(client_id, '') AS client_key, document_type AS ping, seq
  FROM mimic_vpn.all_pings
  WHERE seq IS NOT NULL AND seq >= 0
),
numbered AS (
  SELECT
    *,
    LEAD(seq) OVER (PARTITION BY app, client_key, ping ORDER BY seq) AS next_seq,
    MIN(seq) OVER (PARTITION BY app, client_key, ping) AS lowest,
    MAX(seq) OVER (PARTITION BY app, client_key, ping) AS highest,
    COUNT(*) OVER (PARTITION BY app, client_key, ping) AS stored
  FROM series
),
ranges AS (
  SELECT app, client_key, ping, seq + 1 AS first_missing, next_seq - 1 AS last_missing
  FROM numbered
  WHERE next_seq > seq + 1
  UNION ALL
  SELECT app, client_key, ping, 0, lowest - 1
  FROM numbered
  WHERE @counted_from_zero AND seq = lowest AND lowest > 0
)
SELECT
  numbered.app,
  numbered.client_id,
  numbered.ping,
  numbered.stored,
  IF(@counted_from_zero, 0, numbered.lowest) AS counted_from,
  numbered.highest,
  ranges.first_missing,
  ranges.last_missing
FROM numbered
LEFT JOIN ranges
  ON ranges.app = numbered.app AND ranges.client_key = numbered.client_key AND ranges.ping = numbered.ping
WHERE numbered.seq = numbered.lowest
ORDER BY numbered.app, numbered.client_key, numbered.ping, ranges.first_missing
