-- Every vpnsession and daemonsession ping of a session (a shared_session_id other than the
-- inactive id), with what the report shows of it. Ordered as the report lists them: sessions
-- by their first submission, then each side's pings in submission order (ping_info.seq, the
-- arrival order breaking ties, since a retried upload arrives late).
-- A session's first submission is its earliest ping on either side.
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
sessions AS (
  SELECT session_id, MIN(submission_timestamp) AS first_seen
  FROM session_pings
  WHERE session_id IS NOT NULL AND session_id != '00000000-0000-0000-0000-000000000000'
  GROUP BY 1
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
  session_source
FROM session_pings
JOIN sessions USING (session_id)
ORDER BY
  sessions.first_seen,
  session_id,
  side DESC,
  seq IS NULL,
  seq,
  submission_timestamp,
  document_id
