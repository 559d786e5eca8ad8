-- Level distribution: users by the highest level they reached (0: XP but no level yet).
WITH players AS (SELECT DISTINCT subject FROM events WHERE type = 'xp.awarded'),
levels AS (
  SELECT subject, MAX(level) AS level
  FROM events WHERE type = 'level.changed'
  GROUP BY subject
)
SELECT COALESCE(l.level, 0) AS level, COUNT(*) AS users
FROM players p LEFT JOIN levels l ON l.subject = p.subject
GROUP BY COALESCE(l.level, 0)
ORDER BY level
