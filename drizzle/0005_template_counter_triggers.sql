-- Templates per hub and status, kept like channel_status_counts (0002): the template list's status tabs read these
-- instead of a count(*) over every template when no narrower filter than the hub is set.
CREATE FUNCTION template_status_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO template_status_counts AS c (hub_id, status, n)
  SELECT hub_id, status, count(*)::int FROM new_rows GROUP BY hub_id, status ORDER BY hub_id, status
  ON CONFLICT (hub_id, status) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION template_status_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO template_status_counts AS c (hub_id, status, n)
  SELECT hub_id, status, sum(d)::int FROM (
    SELECT hub_id, status, -1 AS d FROM old_rows UNION ALL SELECT hub_id, status, 1 AS d FROM new_rows
  ) moved GROUP BY hub_id, status HAVING sum(d) <> 0 ORDER BY hub_id, status
  ON CONFLICT (hub_id, status) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION template_status_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE template_status_counts c SET n = c.n - d.n
  FROM (SELECT hub_id, status, count(*)::int AS n FROM old_rows GROUP BY hub_id, status) d
  WHERE c.hub_id = d.hub_id AND c.status = d.status;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER templates_status_counts_insert AFTER INSERT ON templates REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION template_status_counts_add();
--> statement-breakpoint
CREATE TRIGGER templates_status_counts_update AFTER UPDATE ON templates REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION template_status_counts_move();
--> statement-breakpoint
CREATE TRIGGER templates_status_counts_delete AFTER DELETE ON templates REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION template_status_counts_remove();
--> statement-breakpoint
INSERT INTO template_status_counts (hub_id, status, n) SELECT hub_id, status, count(*)::int FROM templates GROUP BY hub_id, status;
--> statement-breakpoint
-- The planner takes permission, has_active_key and status_rank as independent and guesses tens of thousands of rows
-- for channels_stuck_no_key_idx (a few hundred in truth), then picks a parallel bitmap scan and a sort; the
-- combined frequencies let it walk the partial index in order and stop at the LIMIT.
CREATE STATISTICS IF NOT EXISTS channels_stuck_no_key_stats (mcv) ON permission, has_active_key, status_rank FROM channels;
