-- Sessions created and invite links opened per hub and UTC day (onboarding_daily_counts), kept like
-- channel_status_counts (0002): one aggregate per statement, rows upserted in (hub, day, kind) order so concurrent
-- transactions never deadlock on them. Updates move a count only when hub or day (or, for events, kind) changed;
-- deletes only decrement (a hub's cascade may already have removed its counts). The funnel totals read whole days
-- from here and count the two partial days at the period's edges exactly (db/queries/funnel.ts).
CREATE FUNCTION onboarding_daily_counts_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO onboarding_daily_counts AS c (hub_id, day, kind, n)
    SELECT hub_id, (created_at AT TIME ZONE 'UTC')::date, 'session_created', count(*) FROM new_rows
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (hub_id, day, kind) DO UPDATE SET n = c.n + excluded.n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO onboarding_daily_counts AS c (hub_id, day, kind, n)
    SELECT hub_id, day, 'session_created', sum(d) FROM (
      SELECT hub_id, (created_at AT TIME ZONE 'UTC')::date AS day, -1 AS d FROM old_rows
      UNION ALL SELECT hub_id, (created_at AT TIME ZONE 'UTC')::date, 1 FROM new_rows
    ) moved GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
    ON CONFLICT (hub_id, day, kind) DO UPDATE SET n = c.n + excluded.n;
  ELSE
    UPDATE onboarding_daily_counts c SET n = c.n - d.n
    FROM (SELECT hub_id, (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM old_rows GROUP BY 1, 2) d
    WHERE c.hub_id = d.hub_id AND c.day = d.day AND c.kind = 'session_created';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION onboarding_daily_counts_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO onboarding_daily_counts AS c (hub_id, day, kind, n)
    SELECT hub_id, (at AT TIME ZONE 'UTC')::date, 'link_opened', count(*) FROM new_rows WHERE kind = 'link_opened'
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (hub_id, day, kind) DO UPDATE SET n = c.n + excluded.n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO onboarding_daily_counts AS c (hub_id, day, kind, n)
    SELECT hub_id, day, 'link_opened', sum(d) FROM (
      SELECT hub_id, (at AT TIME ZONE 'UTC')::date AS day, -1 AS d FROM old_rows WHERE kind = 'link_opened'
      UNION ALL SELECT hub_id, (at AT TIME ZONE 'UTC')::date, 1 FROM new_rows WHERE kind = 'link_opened'
    ) moved GROUP BY 1, 2 HAVING sum(d) <> 0 ORDER BY 1, 2
    ON CONFLICT (hub_id, day, kind) DO UPDATE SET n = c.n + excluded.n;
  ELSE
    UPDATE onboarding_daily_counts c SET n = c.n - d.n
    FROM (SELECT hub_id, (at AT TIME ZONE 'UTC')::date AS day, count(*) AS n FROM old_rows WHERE kind = 'link_opened' GROUP BY 1, 2) d
    WHERE c.hub_id = d.hub_id AND c.day = d.day AND c.kind = 'link_opened';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER onboarding_sessions_daily_insert AFTER INSERT ON onboarding_sessions REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_daily_counts_sessions();
--> statement-breakpoint
CREATE TRIGGER onboarding_sessions_daily_update AFTER UPDATE ON onboarding_sessions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_daily_counts_sessions();
--> statement-breakpoint
CREATE TRIGGER onboarding_sessions_daily_delete AFTER DELETE ON onboarding_sessions REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_daily_counts_sessions();
--> statement-breakpoint
CREATE TRIGGER onboarding_events_daily_insert AFTER INSERT ON onboarding_events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_daily_counts_events();
--> statement-breakpoint
CREATE TRIGGER onboarding_events_daily_update AFTER UPDATE ON onboarding_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_daily_counts_events();
--> statement-breakpoint
CREATE TRIGGER onboarding_events_daily_delete AFTER DELETE ON onboarding_events REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_daily_counts_events();
--> statement-breakpoint
INSERT INTO onboarding_daily_counts (hub_id, day, kind, n)
SELECT hub_id, (created_at AT TIME ZONE 'UTC')::date, 'session_created', count(*) FROM onboarding_sessions GROUP BY 1, 2
UNION ALL
SELECT hub_id, (at AT TIME ZONE 'UTC')::date, 'link_opened', count(*) FROM onboarding_events WHERE kind = 'link_opened' GROUP BY 1, 2;
