-- Delivery: the ping_info.seq numbers missing per series (application, Glean client_id, ping
-- name), as inclusive ranges: one row per range, only for series missing some (seq_series.sql
-- counts all series). @counted_from_zero: count from 0, or (when only the latest pings were
-- loaded) from the lowest stored seq.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH seqs AS (
  SELECT DISTINCT namespace AS app, client_id, COALESCE(client_id, '') AS client_key, document_type AS ping, seq
  FROM mimic_vpn.all_pings
  WHERE seq IS NOT NULL AND seq >= 0 AND (@debug_tag IS NULL OR x_debug_id = @debug_tag)
),
series AS (
  SELECT app, client_key, ping, MAX(client_id) AS client_id, MIN(seq) AS lowest, MAX(seq) AS highest, COUNT(*) AS stored
  FROM seqs
  GROUP BY 1, 2, 3
),
-- A series misses a number when it has fewer distinct numbers than its span, or (counted from
-- zero) does not start at 0; only those are ordered to find where.
incomplete AS (
  SELECT *
  FROM series
  WHERE highest - lowest + 1 > stored OR (@counted_from_zero AND lowest > 0)
),
numbered AS (
  SELECT
    app,
    client_key,
    ping,
    seq,
    LEAD(seq) OVER (PARTITION BY app, client_key, ping ORDER BY seq) AS next_seq
  FROM seqs
  JOIN incomplete USING (app, client_key, ping)
),
ranges AS (
  SELECT app, client_key, ping, seq + 1 AS first_missing, next_seq - 1 AS last_missing
  FROM numbered
  WHERE next_seq > seq + 1
  UNION ALL
  SELECT app, client_key, ping, 0, lowest - 1
  FROM incomplete
  WHERE @counted_from_zero AND lowest > 0
)
SELECT
  incomplete.app,
  incomplete.client_id,
  incomplete.ping,
  incomplete.stored,
  IF(@counted_from_zero, 0, incomplete.lowest) AS counted_from,
  incomplete.highest,
  ranges.first_missing,
  ranges.last_missing
FROM incomplete
JOIN ranges
  ON ranges.app = incomplete.app AND ranges.client_key = incomplete.client_key AND ranges.ping = incomplete.ping
ORDER BY incomplete.app, incomplete.client_key, incomplete.ping, ranges.first_missing
