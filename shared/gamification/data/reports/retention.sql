-- D1/D7/D30 retention by signup cohort: users whose first XP was that day, and how many of them
-- earned XP exactly 1, 7 and 30 days later (a cohort younger than N days shows 0 for DN).
WITH active AS (
  SELECT DISTINCT subject, CAST(COALESCE(activity_at, occurred_at) AS DATE) AS day
  FROM events WHERE type = 'xp.awarded'
    AND activity_type NOT IN ('badge_earned', 'quest_reward', 'streak_milestone')
),
firsts AS (SELECT subject, MIN(day) AS cohort FROM active GROUP BY subject),
counts AS (
  SELECT f.cohort,
    COUNT(DISTINCT f.subject) AS users,
    COUNT(DISTINCT a.subject) FILTER (WHERE date_diff('day', f.cohort, a.day) = 1) AS d1,
    COUNT(DISTINCT a.subject) FILTER (WHERE date_diff('day', f.cohort, a.day) = 7) AS d7,
    COUNT(DISTINCT a.subject) FILTER (WHERE date_diff('day', f.cohort, a.day) = 30) AS d30
  FROM firsts f JOIN active a ON a.subject = f.subject
  GROUP BY f.cohort
)
SELECT cohort, users, d1, d7, d30,
  ROUND(CAST(d1 AS DOUBLE) / users, 4) AS d1_rate,
  ROUND(CAST(d7 AS DOUBLE) / users, 4) AS d7_rate,
  ROUND(CAST(d30 AS DOUBLE) / users, 4) AS d30_rate
FROM counts
ORDER BY cohort
