-- The session types of Mozilla VPN's session analyses, per side (vpnsession: the app,
-- daemonsession: the daemon), over every shared_session_id other than the inactive id:
--   graceful: one start and one end ping;
--   non_graceful: a start without an end (closed by flush_init, or never), or an end without a start;
--   several_starts_or_ends: more than one start or more than one end ping;
--   inactive: neither (only flush, timer or flush_init pings carry the id).
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH sides AS (
  SELECT
    'vpnsession' AS side,
    LOWER(metrics.uuid.session_shared_session_id) AS session_id,
    COUNTIF(ping_info.reason = 'start') AS starts,
    COUNTIF(ping_info.reason = 'end') AS ends
  FROM mimic_vpn.vpnsession
  WHERE NULLIF(metrics.uuid.session_shared_session_id, '') IS NOT NULL
    AND LOWER(metrics.uuid.session_shared_session_id) != '00000000-0000-0000-0000-000000000000'
    AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
  GROUP BY 2
  UNION ALL
  SELECT
    'daemonsession',
    LOWER(metrics.uuid.session_shared_session_id),
    COUNTIF(ping_info.reason = 'daemon_start'),
    COUNTIF(ping_info.reason = 'daemon_end')
  FROM mimic_vpn.daemonsession
  WHERE NULLIF(metrics.uuid.session_shared_session_id, '') IS NOT NULL
    AND LOWER(metrics.uuid.session_shared_session_id) != '00000000-0000-0000-0000-000000000000'
    AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
  GROUP BY 2
)
SELECT
  side,
  CASE
    WHEN starts = 0 AND ends = 0 THEN 'inactive'
    WHEN starts > 1 OR ends > 1 THEN 'several_starts_or_ends'
    WHEN starts = 1 AND ends = 1 THEN 'graceful'
    ELSE 'non_graceful'
  END AS session_type,
  COUNT(*) AS sessions
FROM sides
GROUP BY 1, 2
ORDER BY 1, 2
