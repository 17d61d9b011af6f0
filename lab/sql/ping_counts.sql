-- How many pings the report saw, so an empty report can be told from an empty store; session
-- pings without a usable shared_session_id belong to no session.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH pings AS (
  SELECT
    COUNT(*) AS total,
    COUNTIF(document_type = 'vpnsession') AS vpnsession,
    COUNTIF(document_type = 'daemonsession') AS daemonsession,
    COUNTIF(document_type NOT IN ('vpnsession', 'daemonsession')) AS other
  FROM mimic_vpn.all_pings
  WHERE (@debug_tag IS NULL OR x_debug_id = @debug_tag)
),
without_session_id AS (
  SELECT COUNT(*) AS without_session_id
  FROM (
    SELECT metrics.uuid.session_shared_session_id AS session_id FROM mimic_vpn.vpnsession WHERE (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
    UNION ALL
    SELECT metrics.uuid.session_shared_session_id FROM mimic_vpn.daemonsession WHERE (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
  )
  WHERE NULLIF(session_id, '') IS NULL
)
SELECT total, vpnsession, daemonsession, other, without_session_id
FROM pings
CROSS JOIN without_session_id
