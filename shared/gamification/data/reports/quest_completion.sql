-- Quest completion rates: per quest, the users who completed it and their share of the users
-- with XP in the same weeks as the completions (the quest's audience, approximately).
WITH done AS (
  SELECT DISTINCT subject, quest_id, date_trunc('week', occurred_at) AS week
  FROM events WHERE type = 'quest.completed'
),
active AS (
  SELECT DISTINCT subject, date_trunc('week', COALESCE(activity_at, occurred_at)) AS week
  FROM events WHERE type = 'xp.awarded'
    AND activity_type NOT IN ('badge_earned', 'quest_reward', 'streak_milestone')
),
audience AS (
  SELECT d.quest_id, COUNT(DISTINCT a.subject) AS users
  FROM (SELECT DISTINCT quest_id, week FROM done) d
  JOIN active a ON a.week = d.week
  GROUP BY d.quest_id
)
SELECT d.quest_id,
  COUNT(DISTINCT d.subject) AS completed,
  MAX(u.users) AS active_users,
  ROUND(CAST(COUNT(DISTINCT d.subject) AS DOUBLE) / MAX(u.users), 4) AS completion_rate
FROM done d JOIN audience u ON u.quest_id = d.quest_id
GROUP BY d.quest_id
ORDER BY d.quest_id
