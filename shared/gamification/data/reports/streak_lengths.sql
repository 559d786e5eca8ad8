-- Streak length distribution: users by the longest streak they reached (freezes bridging gaps).
WITH longest AS (
  SELECT subject, MAX(streak_days) AS streak_days
  FROM events WHERE type = 'streak.extended'
  GROUP BY subject
)
SELECT streak_days, COUNT(*) AS users
FROM longest
GROUP BY streak_days
ORDER BY streak_days
