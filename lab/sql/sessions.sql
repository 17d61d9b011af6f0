-- Every session (a shared_session_id other than the inactive id, seen in a vpnsession or a
-- daemonsession ping), classified, and counted per class: how the two sides joined; the
-- session type of each side, as Mozilla VPN's session analyses define them; whether the daemon
-- saw it whole (question 2); whether the two sides report one and the same installation id;
-- and whether it breaks an assumption of the design, the sessions session_pings.sql lists.
--   join_state: joined (pings on both sides), app_only, daemon_only.
--   app_type, daemon_type (NULL for a side without pings), from the side's start and end pings
--   (start/end for the app, daemon_start/daemon_end for the daemon):
--     graceful: one start and one end ping;
--     non_graceful: a start without an end (closed by flush_init, or never), or an end without a start;
--     several_starts_or_ends: more than one start or more than one end ping;
--     inactive: neither (only flush, timer or flush_init pings carry the id).
--   missing_start: the daemon side has no daemon_start ping; missing_end: it has neither a
--   daemon_end nor a flush_init ping (a session still in progress lacks one too); NULL
--   without a daemon side. ended_by: daemon_end, or flush_init when that is the only end.
--   installation_mismatch: both sides report installation ids, and not one and the same id
--   (a side reporting two ids is a mismatch too: a session belongs to one installation).
--   flagged: not joined, a missing start or end, an installation mismatch, or several starts
--   or ends on a side.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH session_pings AS (
  SELECT
    'vpnsession' AS side,
    NULLIF(LOWER(metrics.uuid.session_shared_session_id), '') AS session_id,
    NULLIF(LOWER(metrics.uuid.session_installation_id), '') AS installation_id,
    ping_info.reason AS reason
  FROM mimic_vpn.vpnsession
  WHERE (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
  UNION ALL
  SELECT
    'daemonsession',
    NULLIF(LOWER(metrics.uuid.session_shared_session_id), ''),
    NULLIF(LOWER(metrics.uuid.session_installation_id), ''),
    ping_info.reason
  FROM mimic_vpn.daemonsession
  WHERE (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
),
sides AS (
  SELECT
    session_id,
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
classified AS (
  SELECT
    CASE WHEN app_pings > 0 AND daemon_pings > 0 THEN 'joined' WHEN app_pings > 0 THEN 'app_only' ELSE 'daemon_only' END
      AS join_state,
    CASE
      WHEN app_pings = 0 THEN NULL
      WHEN app_starts = 0 AND app_ends = 0 THEN 'inactive'
      WHEN app_starts > 1 OR app_ends > 1 THEN 'several_starts_or_ends'
      WHEN app_starts = 1 AND app_ends = 1 THEN 'graceful'
      ELSE 'non_graceful'
    END AS app_type,
    CASE
      WHEN daemon_pings = 0 THEN NULL
      WHEN daemon_starts = 0 AND daemon_ends = 0 THEN 'inactive'
      WHEN daemon_starts > 1 OR daemon_ends > 1 THEN 'several_starts_or_ends'
      WHEN daemon_starts = 1 AND daemon_ends = 1 THEN 'graceful'
      ELSE 'non_graceful'
    END AS daemon_type,
    IF(daemon_pings = 0, NULL, daemon_starts = 0) AS missing_start,
    IF(daemon_pings = 0, NULL, daemon_ends = 0 AND daemon_flush_inits = 0) AS missing_end,
    CASE WHEN daemon_ends > 0 THEN 'daemon_end' WHEN daemon_flush_inits > 0 THEN 'flush_init' END AS ended_by,
    COALESCE(
      app_installation_min != daemon_installation_min
      OR app_installation_min != app_installation_max
      OR daemon_installation_min != daemon_installation_max,
      FALSE
    ) AS installation_mismatch
  FROM sides
)
SELECT
  join_state,
  app_type,
  daemon_type,
  missing_start,
  missing_end,
  ended_by,
  installation_mismatch,
  join_state != 'joined'
    OR COALESCE(missing_start OR missing_end, FALSE)
    OR installation_mismatch
    OR 'several_starts_or_ends' IN (COALESCE(app_type, ''), COALESCE(daemon_type, '')) AS flagged,
  COUNT(*) AS sessions
FROM classified
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
