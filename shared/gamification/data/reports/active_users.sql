-- DAU, WAU and MAU per day: distinct users with XP for an activity of that UTC day (when it
-- occurred, not when it arrived), the 7 and the 30 days ending it.
WITH active AS (
  SELECT DISTINCT subject, CAST(COALESCE(activity_at, occurred_at) AS DATE) AS day
  FROM events WHERE type = 'xp.awarded'
    AND activity_type NOT IN ('badge_earned', 'quest_reward', 'streak_milestone')
),
days AS (SELECT DISTINCT day FROM active)
SELECT d.day,
  COUNT(DISTINCT a.subject) FILTER (WHERE a.day = d.day) AS dau,
  COUNT(DISTINCT a.subject) FILTER (WHERE a.day > d.day - INTERVAL '7' DAY) AS wau,
  COUNT(DISTINCT a.subject) AS mau
FROM days d
JOIN active a ON a.day <= d.day AND a.day > d.day - INTERVAL '30' DAY
GROUP BY d.day
ORDER BY d.day
