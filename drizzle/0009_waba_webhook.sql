ALTER TABLE "channels" ADD COLUMN "meta_waba_id" text GENERATED ALWAYS AS (raw -> 'waba_account' ->> 'external_id') STORED;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "waba_webhook_state" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "waba_webhook_detail" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "waba_webhook_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hubs" ADD COLUMN "waba_webhook_secret_enc" text;--> statement-breakpoint
ALTER TABLE "hubs" ADD COLUMN "previous_waba_webhook_secret_enc" text;--> statement-breakpoint
ALTER TABLE "hubs" ADD COLUMN "previous_waba_webhook_secret_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "quality_score" text;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "source" text DEFAULT 'partner' NOT NULL;--> statement-breakpoint
CREATE INDEX "channels_hub_meta_waba_idx" ON "channels" USING btree ("hub_id","meta_waba_id");