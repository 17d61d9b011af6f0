-- How many pings the report saw, so an empty report can be told from an empty store; session
-- pings without a usable shared_session_id belong to no session.
WITH session_ids AS (
  SELECT document_id, metrics.uuid.session_shared_session_id AS session_id FROM mimic_vpn.vpnsession
  UNION ALL
  SELECT document_id, metrics.uuid.session_shared_session_id FROM mimic_vpn.daemonsession
)
SELECT
  COUNT(*) AS total,
  COUNTIF(document_type = 'vpnsession') AS vpnsession,
  COUNTIF(document_type = 'daemonsession') AS daemonsession,
  COUNTIF(document_type NOT IN ('vpnsession', 'daemonsession')) AS other,
  COUNTIF(document_type IN ('vpnsession', 'daemonsession') AND NULLIF(session_ids.session_id, '') IS NULL)
    AS without_session_id
FROM mimic_vpn.all_pings
LEFT JOIN session_ids USING (document_id)
