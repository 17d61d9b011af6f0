-- Question 1, the pings: how many session pings carry the inactive id, per ping and reason
-- (NULL when the ping has none). inactive_id.sql lists those of them that carry data.
-- The inactive id has no letter, so the id is compared as sent, without LOWER: the same
-- answer, and a comparison the engine can make while it scans.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
SELECT 'vpnsession' AS document_type, ping_info.reason AS reason, COUNT(DISTINCT document_id) AS pings
FROM mimic_vpn.vpnsession
WHERE metrics.uuid.session_shared_session_id = '00000000-0000-0000-0000-000000000000'
  AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
GROUP BY 2
UNION ALL
SELECT 'daemonsession', ping_info.reason, COUNT(DISTINCT document_id)
FROM mimic_vpn.daemonsession
WHERE metrics.uuid.session_shared_session_id = '00000000-0000-0000-0000-000000000000'
  AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
GROUP BY 2
ORDER BY document_type, reason
