CREATE TABLE "api_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"scopes" jsonb NOT NULL,
	"hub_id" uuid,
	"expires_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"owner_id" uuid NOT NULL,
	"rate_tokens" double precision,
	"rate_at" timestamp with time zone,
	"rate_allowed" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "revealed_by_token" uuid;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "revoked_reason" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "restricted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "cancellation" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "cancellation_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "terminates_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "quality_rating" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "messaging_limit" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "meta_waba_id" text GENERATED ALWAYS AS (raw -> 'waba_account' ->> 'external_id') STORED;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "waba_webhook_state" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "waba_webhook_detail" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "waba_webhook_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hubs" ADD COLUMN "waba_webhook_secret_enc" text;--> statement-breakpoint
ALTER TABLE "hubs" ADD COLUMN "previous_waba_webhook_secret_enc" text;--> statement-breakpoint
ALTER TABLE "hubs" ADD COLUMN "previous_waba_webhook_secret_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hubs" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hubs" ADD COLUMN "health" jsonb;--> statement-breakpoint
ALTER TABLE "hubs" ADD COLUMN "last_runs" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "quality_score" text;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "replaces_id" uuid;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "replaced_by_id" uuid;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "source" text DEFAULT 'partner' NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "confirmation" text;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD COLUMN "confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_hub_id_hubs_id_fk" FOREIGN KEY ("hub_id") REFERENCES "public"."hubs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_uq" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_created_idx" ON "api_tokens" USING btree ("created_at","id");--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_revealed_by_token_api_tokens_id_fk" FOREIGN KEY ("revealed_by_token") REFERENCES "public"."api_tokens"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_replaces_id_templates_id_fk" FOREIGN KEY ("replaces_id") REFERENCES "public"."templates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_replaced_by_id_templates_id_fk" FOREIGN KEY ("replaced_by_id") REFERENCES "public"."templates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "channels_hub_meta_waba_idx" ON "channels" USING btree ("hub_id","meta_waba_id");--> statement-breakpoint
CREATE INDEX "channels_stuck_restricted_idx" ON "channels" USING btree ("hub_id","restricted_at") WHERE "channels"."restricted" and "channels"."cancellation" is null;--> statement-breakpoint
CREATE INDEX "channels_stuck_unknown_status_idx" ON "channels" USING btree ("hub_id","status_changed_at") WHERE "channels"."status" not in ('created', 'unverified', 'submitted', 'verified', 'ready', 'running', 'live') and "channels"."cancellation" is null;--> statement-breakpoint
CREATE INDEX "channels_cancellation_idx" ON "channels" USING btree ("cancellation","status_changed_at","id") WHERE "channels"."cancellation" is not null;--> statement-breakpoint
CREATE INDEX "channels_quality_idx" ON "channels" USING btree ("quality_rating","status_changed_at","id") WHERE "channels"."quality_rating" is not null;--> statement-breakpoint
CREATE INDEX "channels_limit_idx" ON "channels" USING btree ("messaging_limit","status_changed_at","id") WHERE "channels"."messaging_limit" is not null;--> statement-breakpoint
CREATE INDEX "templates_replaced_idx" ON "templates" USING btree ("hub_id","status") WHERE "templates"."replaced_by_id" is not null;--> statement-breakpoint
CREATE INDEX "templates_replaces_idx" ON "templates" USING btree ("replaces_id");--> statement-breakpoint
CREATE INDEX "webhook_events_unverified_idx" ON "webhook_events" USING btree ("hub_id","received_at") WHERE "webhook_events"."signature_result" = 'unsigned' and "webhook_events"."status" in ('pending', 'processing', 'failed');