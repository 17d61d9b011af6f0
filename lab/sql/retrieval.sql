-- Question 3: how often the app failed to obtain the session id from the daemon. One row per
-- error label (session.session_id_retrieval_errors summed over all vpnsession pings), and a
-- row with a NULL label holding the successful retrievals: 'start' pings carrying an id other
-- than the inactive one.
-- The inactive id has no letter, so the id is compared as sent, without LOWER: the same
-- answer, and a comparison the engine can make while it scans.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
SELECT label.key AS label, SUM(label.value) AS count
FROM mimic_vpn.vpnsession
CROSS JOIN UNNEST(metrics.labeled_counter.session_session_id_retrieval_errors) AS label
WHERE label.value IS NOT NULL AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
GROUP BY 1
UNION ALL
SELECT CAST(NULL AS STRING), COUNT(*)
FROM mimic_vpn.vpnsession
WHERE ping_info.reason = 'start'
  AND NULLIF(metrics.uuid.session_shared_session_id, '') IS NOT NULL
  AND metrics.uuid.session_shared_session_id != '00000000-0000-0000-0000-000000000000'
  AND (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
ORDER BY label
