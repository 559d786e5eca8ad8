-- League movement per week and tier: members promoted, who stayed and demoted at the close.
WITH results AS (
  SELECT DISTINCT subject, week, from_tier, movement
  FROM events WHERE type = 'league.closed'
)
SELECT week, from_tier AS tier,
  COUNT(*) AS members,
  COUNT(*) FILTER (WHERE movement = 'promoted') AS promoted,
  COUNT(*) FILTER (WHERE movement = 'stayed') AS stayed,
  COUNT(*) FILTER (WHERE movement = 'demoted') AS demoted
FROM results
GROUP BY week, from_tier
ORDER BY week, tier
