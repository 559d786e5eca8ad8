-- Impact: per experience (control, treatment), the users first active at least {days} days
-- before the lake's last active day, how many came back on or after their day {days}, and
-- their average active days in their first {days} days.
WITH assigned AS (
  SELECT subject, max_by(experience, occurred_at) AS experience
  FROM events WHERE type = 'experiment.assigned'
  GROUP BY subject
),
active AS (
  SELECT DISTINCT subject, CAST(COALESCE(activity_at, occurred_at) AS DATE) AS day
  FROM events WHERE type = 'xp.awarded'
    AND activity_type NOT IN ('badge_earned', 'quest_reward', 'streak_milestone')
),
firsts AS (SELECT subject, MIN(day) AS first_day FROM active GROUP BY subject),
horizon AS (SELECT MAX(day) AS last_day FROM active),
users AS (
  SELECT f.subject, a.experience,
    COUNT(DISTINCT x.day) FILTER (WHERE date_diff('day', f.first_day, x.day) < {days})
      AS active_days,
    COUNT(DISTINCT x.day) FILTER (WHERE date_diff('day', f.first_day, x.day) >= {days})
      AS later_days
  FROM firsts f
  JOIN assigned a ON a.subject = f.subject
  JOIN active x ON x.subject = f.subject
  CROSS JOIN horizon h
  WHERE date_diff('day', f.first_day, h.last_day) >= {days}
  GROUP BY f.subject, a.experience
)
SELECT experience,
  COUNT(*) AS users,
  COUNT(*) FILTER (WHERE later_days > 0) AS retained,
  ROUND(AVG(CAST(active_days AS DOUBLE)), 3) AS active_days
FROM users
GROUP BY experience
ORDER BY experience
