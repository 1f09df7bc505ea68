-- Channels per hub and status, kept by statement-level triggers (one aggregate per statement, so a bulk insert
-- costs one upsert per status). Rows are upserted in (hub, status) order so concurrent transactions never
-- deadlock on them; a delete only decrements (a hub's cascade may already have removed its counters).
CREATE FUNCTION channel_status_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO channel_status_counts AS c (hub_id, status, n)
  SELECT hub_id, status, count(*)::int FROM new_rows GROUP BY hub_id, status ORDER BY hub_id, status
  ON CONFLICT (hub_id, status) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION channel_status_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO channel_status_counts AS c (hub_id, status, n)
  SELECT hub_id, status, sum(d)::int FROM (
    SELECT hub_id, status, -1 AS d FROM old_rows UNION ALL SELECT hub_id, status, 1 AS d FROM new_rows
  ) moved GROUP BY hub_id, status HAVING sum(d) <> 0 ORDER BY hub_id, status
  ON CONFLICT (hub_id, status) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION channel_status_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE channel_status_counts c SET n = c.n - d.n
  FROM (SELECT hub_id, status, count(*)::int AS n FROM old_rows GROUP BY hub_id, status) d
  WHERE c.hub_id = d.hub_id AND c.status = d.status;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER channels_status_counts_insert AFTER INSERT ON channels REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel_status_counts_add();
--> statement-breakpoint
CREATE TRIGGER channels_status_counts_update AFTER UPDATE ON channels REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel_status_counts_move();
--> statement-breakpoint
CREATE TRIGGER channels_status_counts_delete AFTER DELETE ON channels REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel_status_counts_remove();
--> statement-breakpoint
INSERT INTO channel_status_counts (hub_id, status, n) SELECT hub_id, status, count(*)::int FROM channels GROUP BY hub_id, status;
--> statement-breakpoint
-- channels.has_active_key follows api_keys, so the "running without a key" rule walks a small partial index
-- instead of probing api_keys for every running channel. Only real changes touch the channel row.
CREATE FUNCTION channels_sync_active_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE channels ch SET has_active_key = true
    WHERE ch.id IN (SELECT channel_id FROM new_rows WHERE status = 'active') AND NOT ch.has_active_key;
  ELSIF TG_OP = 'UPDATE' THEN
    UPDATE channels ch SET has_active_key = NOT ch.has_active_key
    WHERE ch.id IN (SELECT channel_id FROM new_rows UNION SELECT channel_id FROM old_rows)
      AND ch.has_active_key <> EXISTS (SELECT 1 FROM api_keys a WHERE a.channel_id = ch.id AND a.status = 'active');
  ELSE
    UPDATE channels ch SET has_active_key = false
    WHERE ch.id IN (SELECT channel_id FROM old_rows WHERE status = 'active') AND ch.has_active_key
      AND NOT EXISTS (SELECT 1 FROM api_keys a WHERE a.channel_id = ch.id AND a.status = 'active');
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER api_keys_active_insert AFTER INSERT ON api_keys REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channels_sync_active_key();
--> statement-breakpoint
CREATE TRIGGER api_keys_active_update AFTER UPDATE ON api_keys REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channels_sync_active_key();
--> statement-breakpoint
CREATE TRIGGER api_keys_active_delete AFTER DELETE ON api_keys REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channels_sync_active_key();
--> statement-breakpoint
UPDATE channels ch SET has_active_key = true WHERE EXISTS (SELECT 1 FROM api_keys a WHERE a.channel_id = ch.id AND a.status = 'active');
--> statement-breakpoint
-- Phone search is a contains-match on digits: trigram indexes where pg_trgm exists (PostgreSQL with contrib;
-- a trusted extension since PG 13). Embedded PGlite loads no extension, searches its small data without them.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX IF NOT EXISTS channels_phone_trgm_idx ON channels USING gin (phone_number gin_trgm_ops);
    CREATE INDEX IF NOT EXISTS clients_phone_trgm_idx ON clients USING gin (phone gin_trgm_ops);
  END IF;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm not available (%): phone search runs without trigram indexes', SQLERRM;
END $$;
