-- The vpnsession and daemonsession pings of the sessions the report lists (a session is a
-- shared_session_id other than the inactive id): @all_sessions (BOOL) TRUE for every session,
-- FALSE for those flagged by sessions.sql (not joined, a daemon side without its start or its
-- end, an installation mismatch, several starts or ends on a side), whose definitions this
-- file repeats. Each row carries its session's flags. Ordered as the report lists them:
-- sessions by their first submission (the earliest ping on either side), then each side's
-- pings in submission order (ping_info.seq, the arrival order breaking ties, since a retried
-- upload arrives late).
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH session_pings AS (
  SELECT
    'vpnsession' AS side,
    document_id,
    submission_timestamp,
    NULLIF(LOWER(metrics.uuid.session_shared_session_id), '') AS session_id,
    NULLIF(LOWER(metrics.uuid.session_installation_id), '') AS installation_id,
    ping_info.reason AS reason,
    ping_info.seq AS seq,
    ping_info.start_time AS start_time,
    ping_info.end_time AS end_time,
    metrics.datetime.raw_session_app_session_start AS session_start,
    metrics.datetime.raw_session_app_session_end AS session_end,
    CAST(NULL AS STRING) AS session_source
  FROM mimic_vpn.vpnsession
  WHERE (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
  UNION ALL
  SELECT
    'daemonsession',
    document_id,
    submission_timestamp,
    NULLIF(LOWER(metrics.uuid.session_shared_session_id), ''),
    NULLIF(LOWER(metrics.uuid.session_installation_id), ''),
    ping_info.reason,
    ping_info.seq,
    ping_info.start_time,
    ping_info.end_time,
    metrics.datetime.raw_session_daemon_session_start,
    metrics.datetime.raw_session_daemon_session_end,
    metrics.string.session_daemon_session_source
  FROM mimic_vpn.daemonsession
  WHERE (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
),
sides AS (
  SELECT
    session_id,
    MIN(submission_timestamp) AS first_seen,
    COUNTIF(side = 'vpnsession') AS app_pings,
    COUNTIF(side = 'daemonsession') AS daemon_pings,
    COUNTIF(side = 'vpnsession' AND reason = 'start') AS app_starts,
    COUNTIF(side = 'vpnsession' AND reason = 'end') AS app_ends,
    COUNTIF(side = 'daemonsession' AND reason = 'daemon_start') AS daemon_starts,
    COUNTIF(side = 'daemonsession' AND reason = 'daemon_end') AS daemon_ends,
    COUNTIF(side = 'daemonsession' AND reason = 'flush_init') AS daemon_flush_inits,
    MIN(IF(side = 'vpnsession', installation_id, NULL)) AS app_installation_min,
    MAX(IF(side = 'vpnsession', installation_id, NULL)) AS app_installation_max,
    MIN(IF(side = 'daemonsession', installation_id, NULL)) AS daemon_installation_min,
    MAX(IF(side = 'daemonsession', installation_id, NULL)) AS daemon_installation_max
  FROM session_pings
  WHERE session_id IS NOT NULL AND session_id != '00000000-0000-0000-0000-000000000000'
  GROUP BY 1
),
sessions AS (
  SELECT
    session_id,
    first_seen,
    daemon_pings > 0 AND daemon_starts = 0 AS missing_start,
    daemon_pings > 0 AND daemon_ends = 0 AND daemon_flush_inits = 0 AS missing_end,
    COALESCE(
      app_installation_min != daemon_installation_min
      OR app_installation_min != app_installation_max
      OR daemon_installation_min != daemon_installation_max,
      FALSE
    ) AS installation_mismatch,
    app_starts > 1 OR app_ends > 1 OR daemon_starts > 1 OR daemon_ends > 1 AS several_starts_or_ends,
    app_pings = 0 OR daemon_pings = 0 AS one_side_only
  FROM sides
)
SELECT
  session_id,
  side,
  document_id,
  reason,
  seq,
  start_time,
  end_time,
  installation_id,
  session_start,
  session_end,
  session_source,
  missing_start,
  missing_end,
  installation_mismatch,
  several_starts_or_ends
FROM session_pings
JOIN sessions USING (session_id)
WHERE @all_sessions OR one_side_only OR missing_start OR missing_end OR installation_mismatch OR several_starts_or_ends
ORDER BY
  sessions.first_seen,
  session_id,
  side DESC,
  seq IS NULL,
  seq,
  submission_timestamp,
  document_id
