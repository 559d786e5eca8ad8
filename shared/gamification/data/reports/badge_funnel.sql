-- Badge unlock funnel: per badge, the users who earned it, their share of every user with XP,
-- and the days from a user's first XP to the badge (average and slowest).
WITH firsts AS (
  SELECT subject, MIN(occurred_at) AS first_at
  FROM events WHERE type = 'xp.awarded'
  GROUP BY subject
),
earned AS (
  SELECT DISTINCT subject, badge_id, occurred_at
  FROM events WHERE type = 'badge.earned'
),
population AS (SELECT COUNT(*) AS users FROM firsts)
SELECT e.badge_id,
  COUNT(DISTINCT e.subject) AS users,
  ROUND(CAST(COUNT(DISTINCT e.subject) AS DOUBLE) / MAX(p.users), 4) AS share,
  ROUND(AVG(CAST(date_diff('second', f.first_at, e.occurred_at) AS DOUBLE)) / 86400, 2)
    AS avg_days_to_badge,
  ROUND(CAST(MAX(date_diff('second', f.first_at, e.occurred_at)) AS DOUBLE) / 86400, 2)
    AS max_days_to_badge
FROM earned e
JOIN firsts f ON f.subject = e.subject
CROSS JOIN population p
GROUP BY e.badge_id
ORDER BY users DESC, e.badge_id
