-- Question 2: does the daemon see every session from start to end? One row per daemon
-- session (the daemonsession pings sharing a shared_session_id other than the inactive id).
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH sessions AS (
  SELECT
    LOWER(metrics.uuid.session_shared_session_id) AS session_id,
    MIN(submission_timestamp) AS first_seen,
    LOGICAL_OR(ping_info.reason = 'daemon_start') AS has_start,
    LOGICAL_OR(ping_info.reason = 'daemon_end') AS has_end,
    LOGICAL_OR(ping_info.reason = 'flush_init') AS has_flush_init
  FROM mimic_vpn.daemonsession
  WHERE NULLIF(metrics.uuid.session_shared_session_id, '') IS NOT NULL
    AND LOWER(metrics.uuid.session_shared_session_id) != '00000000-0000-0000-0000-000000000000'
    AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
  GROUP BY 1
)
SELECT
  session_id,
  NOT COALESCE(has_start, FALSE) AS missing_start,
  NOT (COALESCE(has_end, FALSE) OR COALESCE(has_flush_init, FALSE)) AS missing_end,
  COALESCE(has_end, FALSE) AS with_daemon_end,
  COALESCE(has_flush_init, FALSE) AND NOT COALESCE(has_end, FALSE) AS ended_by_flush_init_only
FROM sessions
ORDER BY first_seen, session_id
