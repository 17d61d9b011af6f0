-- The app's ping for data of no session (vpnclient: IPC statistics and the like, sent at startup,
-- at a session's start and at shutdown), counted by reason. It never carries a session id; the
-- fault runner checks that, this shows how many arrived.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
SELECT COALESCE(ping_info.reason, '(none)') AS reason, COUNT(*) AS pings
FROM mimic_vpn.vpnclient
WHERE (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
GROUP BY 1
ORDER BY 1
