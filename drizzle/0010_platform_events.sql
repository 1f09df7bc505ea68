CREATE TABLE "platform_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"type" text NOT NULL,
	"hub_id" uuid,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"resource" jsonb,
	"dedupe_key" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"dispatched_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "platform_events" ADD CONSTRAINT "platform_events_hub_id_hubs_id_fk" FOREIGN KEY ("hub_id") REFERENCES "public"."hubs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "platform_events_seq_uq" ON "platform_events" USING btree ("seq");--> statement-breakpoint
CREATE UNIQUE INDEX "platform_events_dedupe_uq" ON "platform_events" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "platform_events_subject_idx" ON "platform_events" USING btree ("subject_type","subject_id","seq");--> statement-breakpoint
CREATE INDEX "platform_events_occurred_idx" ON "platform_events" USING btree ("occurred_at","seq");--> statement-breakpoint
CREATE INDEX "platform_events_hub_type_idx" ON "platform_events" USING btree ("hub_id","type","occurred_at");--> statement-breakpoint
CREATE INDEX "onboarding_sessions_open_expiry_idx" ON "onboarding_sessions" USING btree ("expires_at") WHERE "onboarding_sessions"."status" in ('started', 'redirected');