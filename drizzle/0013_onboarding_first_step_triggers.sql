-- The first time of each funnel step per session (onboarding_sessions.first_*_at, added by 0012), kept in the
-- statement that inserts, changes or deletes onboarding_events, so the Overview's funnel reads one row per session
-- instead of aggregating every session's events (db/queries/funnel.ts). A step is the earliest event of its kinds:
-- returned = redirect_received or es_finish; then client_confirmed, channel_created, channel_running, key_stored.
-- Inserts can only move a time earlier (least() ignores NULL), so they fold the new rows in; updates and deletes
-- recompute the sessions they touched from their remaining events. Rows change only when a value does.
CREATE FUNCTION onboarding_first_steps() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE onboarding_sessions s SET
      first_returned_at = least(s.first_returned_at, n.returned),
      first_client_confirmed_at = least(s.first_client_confirmed_at, n.client_confirmed),
      first_channel_created_at = least(s.first_channel_created_at, n.channel_created),
      first_channel_running_at = least(s.first_channel_running_at, n.channel_running),
      first_key_stored_at = least(s.first_key_stored_at, n.key_stored)
    FROM (
      SELECT session_id,
        min(at) FILTER (WHERE kind IN ('redirect_received', 'es_finish')) AS returned,
        min(at) FILTER (WHERE kind = 'client_confirmed') AS client_confirmed,
        min(at) FILTER (WHERE kind = 'channel_created') AS channel_created,
        min(at) FILTER (WHERE kind = 'channel_running') AS channel_running,
        min(at) FILTER (WHERE kind = 'key_stored') AS key_stored
      FROM new_rows
      WHERE session_id IS NOT NULL AND kind IN ('redirect_received', 'es_finish', 'client_confirmed', 'channel_created', 'channel_running', 'key_stored')
      GROUP BY session_id
    ) n
    WHERE s.id = n.session_id AND (
      least(s.first_returned_at, n.returned) IS DISTINCT FROM s.first_returned_at
      OR least(s.first_client_confirmed_at, n.client_confirmed) IS DISTINCT FROM s.first_client_confirmed_at
      OR least(s.first_channel_created_at, n.channel_created) IS DISTINCT FROM s.first_channel_created_at
      OR least(s.first_channel_running_at, n.channel_running) IS DISTINCT FROM s.first_channel_running_at
      OR least(s.first_key_stored_at, n.key_stored) IS DISTINCT FROM s.first_key_stored_at
    );
    RETURN NULL;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT array_agg(DISTINCT session_id) INTO touched
    FROM (SELECT session_id FROM old_rows UNION ALL SELECT session_id FROM new_rows) x WHERE session_id IS NOT NULL;
  ELSE
    SELECT array_agg(DISTINCT session_id) INTO touched FROM old_rows WHERE session_id IS NOT NULL;
  END IF;
  IF touched IS NOT NULL THEN
    WITH r AS (
      SELECT t.session_id,
        min(e.at) FILTER (WHERE e.kind IN ('redirect_received', 'es_finish')) AS returned,
        min(e.at) FILTER (WHERE e.kind = 'client_confirmed') AS client_confirmed,
        min(e.at) FILTER (WHERE e.kind = 'channel_created') AS channel_created,
        min(e.at) FILTER (WHERE e.kind = 'channel_running') AS channel_running,
        min(e.at) FILTER (WHERE e.kind = 'key_stored') AS key_stored
      FROM unnest(touched) AS t(session_id) LEFT JOIN onboarding_events e ON e.session_id = t.session_id
      GROUP BY t.session_id
    )
    UPDATE onboarding_sessions s SET
      first_returned_at = r.returned,
      first_client_confirmed_at = r.client_confirmed,
      first_channel_created_at = r.channel_created,
      first_channel_running_at = r.channel_running,
      first_key_stored_at = r.key_stored
    FROM r
    WHERE s.id = r.session_id AND (
      r.returned IS DISTINCT FROM s.first_returned_at
      OR r.client_confirmed IS DISTINCT FROM s.first_client_confirmed_at
      OR r.channel_created IS DISTINCT FROM s.first_channel_created_at
      OR r.channel_running IS DISTINCT FROM s.first_channel_running_at
      OR r.key_stored IS DISTINCT FROM s.first_key_stored_at
    );
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER onboarding_events_first_steps_insert AFTER INSERT ON onboarding_events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_first_steps();
--> statement-breakpoint
CREATE TRIGGER onboarding_events_first_steps_update AFTER UPDATE ON onboarding_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_first_steps();
--> statement-breakpoint
CREATE TRIGGER onboarding_events_first_steps_delete AFTER DELETE ON onboarding_events REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION onboarding_first_steps();
--> statement-breakpoint
UPDATE onboarding_sessions s SET
  first_returned_at = r.returned,
  first_client_confirmed_at = r.client_confirmed,
  first_channel_created_at = r.channel_created,
  first_channel_running_at = r.channel_running,
  first_key_stored_at = r.key_stored
FROM (
  SELECT session_id,
    min(at) FILTER (WHERE kind IN ('redirect_received', 'es_finish')) AS returned,
    min(at) FILTER (WHERE kind = 'client_confirmed') AS client_confirmed,
    min(at) FILTER (WHERE kind = 'channel_created') AS channel_created,
    min(at) FILTER (WHERE kind = 'channel_running') AS channel_running,
    min(at) FILTER (WHERE kind = 'key_stored') AS key_stored
  FROM onboarding_events
  WHERE session_id IS NOT NULL AND kind IN ('redirect_received', 'es_finish', 'client_confirmed', 'channel_created', 'channel_running', 'key_stored')
  GROUP BY session_id
) r
WHERE s.id = r.session_id;
