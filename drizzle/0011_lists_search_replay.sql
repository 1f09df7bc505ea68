ALTER TABLE "channel_events" ADD COLUMN "replayed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channel_events" ADD COLUMN "replayed_by" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "phone_digits" text GENERATED ALWAYS AS (nullif(regexp_replace(phone_number, '[^0-9]', '', 'g'), '')) STORED;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "phone_digits" text GENERATED ALWAYS AS (nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '')) STORED;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "replayed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "replayed_by" text;--> statement-breakpoint
CREATE INDEX "channels_phone_digits_prefix_idx" ON "channels" USING btree ("phone_digits" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "channels_phone_digits_suffix_idx" ON "channels" USING btree (reverse("phone_digits") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "clients_phone_digits_prefix_idx" ON "clients" USING btree ("phone_digits" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "clients_phone_digits_suffix_idx" ON "clients" USING btree (reverse("phone_digits") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "templates_name_prefix_idx" ON "templates" USING btree (lower("name") text_pattern_ops);