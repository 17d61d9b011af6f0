-- Delivery: what each application's Glean reported deleting, from its health pings. One row
-- per application and label: metric 'deleted_after_quota' and 'discarded_too_large' with a
-- NULL label, glean.upload.pending_pings_deleted per cap, and the labels of
-- glean.upload.ping_upload_failure after which glean-core gives a ping up.
-- @debug_tag (STRING, NULL for every ping): only pings submitted with this X-Debug-ID header.
WITH health AS (
  -- Only the columns read below: the five parts read this once, and a health ping has many more.
  SELECT
    normalized_app_id,
    metrics.counter.glean_upload_deleted_pings_after_quota_hit AS deleted_after_quota,
    metrics.memory_distribution.glean_upload_discarded_exceeding_pings_size AS discarded_exceeding_size,
    metrics.labeled_counter.glean_upload_pending_pings_deleted AS pending_pings_deleted,
    metrics.labeled_counter.glean_upload_ping_upload_failure AS ping_upload_failure
  FROM mimic_vpn.health
  WHERE (@debug_tag IS NULL OR metadata.header.x_debug_id = @debug_tag)
)
SELECT normalized_app_id AS app, 'health_pings' AS metric, CAST(NULL AS STRING) AS label, COUNT(*) AS count
FROM health
GROUP BY 1
UNION ALL
SELECT normalized_app_id, 'deleted_after_quota', NULL, SUM(COALESCE(deleted_after_quota, 0))
FROM health
GROUP BY 1
UNION ALL
SELECT normalized_app_id, 'discarded_too_large', NULL, SUM(bucket.value)
FROM health
CROSS JOIN UNNEST(discarded_exceeding_size.`values`) AS bucket
GROUP BY 1
UNION ALL
SELECT normalized_app_id, 'deleted_by_quota', label.key, SUM(label.value)
FROM health
CROSS JOIN UNNEST(pending_pings_deleted) AS label
WHERE label.value != 0
GROUP BY 1, 3
UNION ALL
SELECT normalized_app_id, 'given_up_after_upload', label.key, SUM(label.value)
FROM health
CROSS JOIN UNNEST(ping_upload_failure) AS label
WHERE label.key IN ('status_code_4xx', 'unrecoverable', 'incapable') AND label.value != 0
GROUP BY 1, 3
ORDER BY app, metric, label
