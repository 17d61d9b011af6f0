-- Session durations per side: the session's end datetime metric minus its start datetime
-- metric (app_session_end - app_session_start, daemon_session_end - daemon_session_start),
-- for sessions having both. A negative length (an end recorded before the start: a clock
-- change, or data attributed to the wrong session) is counted, not dropped. Lengths are
-- differences of UNIX_MILLIS (the datetimes have whole milliseconds, so this is
-- TIMESTAMP_DIFF(..., MILLISECOND), as a subtraction: see delivery_delay.sql).
-- The inactive id has no letter, so the id is compared as sent, without LOWER: the same
-- answer, and a comparison the engine can make while it scans.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH sides AS (
  SELECT
    'vpnsession' AS side,
    LOWER(metrics.uuid.session_shared_session_id) AS session_id,
    MIN(metrics.datetime.session_app_session_start) AS session_start,
    MIN(metrics.datetime.session_app_session_end) AS session_end
  FROM mimic_vpn.vpnsession
  WHERE metrics.uuid.session_shared_session_id != '00000000-0000-0000-0000-000000000000'
    AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
  GROUP BY 2
  UNION ALL
  SELECT
    'daemonsession',
    LOWER(metrics.uuid.session_shared_session_id),
    MIN(metrics.datetime.session_daemon_session_start),
    MIN(metrics.datetime.session_daemon_session_end)
  FROM mimic_vpn.daemonsession
  WHERE metrics.uuid.session_shared_session_id != '00000000-0000-0000-0000-000000000000'
    AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
  GROUP BY 2
),
lengths AS (
  SELECT side, UNIX_MILLIS(session_end) - UNIX_MILLIS(session_start) AS length_ms
  FROM sides
  WHERE session_start IS NOT NULL AND session_end IS NOT NULL
)
SELECT
  side,
  COUNT(*) AS sessions,
  COUNTIF(length_ms < 0) AS negative,
  MIN(length_ms) AS min_ms,
  MAX(length_ms) AS max_ms,
  SUM(length_ms) AS total_ms
FROM lengths
GROUP BY 1
ORDER BY 1
