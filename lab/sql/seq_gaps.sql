-- Delivery: the ping_info.seq numbers missing per series (application, Glean client_id, ping
-- name), as inclusive ranges: one row per range, only for series missing some (seq_series.sql
-- counts all series). @counted_from_zero: count from 0, or (when only the latest pings were
-- loaded) from the lowest stored seq.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH stored AS (
  SELECT namespace AS app, client_id, COALESCE(client_id, '') AS client_key, document_type AS ping, seq
  FROM mimic_vpn.all_pings
  WHERE seq IS NOT NULL AND seq >= 0 AND (@debug_tag IS NULL OR x_debug_id = @debug_tag)
),
-- A series whose pings are as many as its span of numbers, each once, misses none; only the
-- others (fewer pings, a number stored twice, or, counted from zero, not starting at 0) are
-- looked at number by number: a plain count per series costs a fraction of a distinct one.
suspect AS (
  SELECT app, client_key, ping
  FROM stored
  GROUP BY 1, 2, 3
  HAVING MAX(seq) - MIN(seq) + 1 != COUNT(*) OR (@counted_from_zero AND MIN(seq) > 0)
),
numbered AS (
  SELECT
    app,
    client_key,
    ping,
    client_id,
    seq,
    COUNT(*) OVER (PARTITION BY app, client_key, ping) AS stored,
    LEAD(seq) OVER (PARTITION BY app, client_key, ping ORDER BY seq) AS next_seq
  FROM (
    SELECT stored.app, stored.client_key, stored.ping, MAX(stored.client_id) AS client_id, stored.seq
    FROM stored
    JOIN suspect USING (app, client_key, ping)
    GROUP BY 1, 2, 3, 5
  )
),
-- A series misses a number when it has fewer distinct numbers than its span, or (counted from
-- zero) does not start at 0.
incomplete AS (
  SELECT
    app,
    client_key,
    ping,
    MAX(client_id) AS client_id,
    MIN(seq) AS lowest,
    MAX(seq) AS highest,
    ANY_VALUE(stored) AS stored
  FROM numbered
  GROUP BY 1, 2, 3
  HAVING MAX(seq) - MIN(seq) + 1 > ANY_VALUE(stored) OR (@counted_from_zero AND MIN(seq) > 0)
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
