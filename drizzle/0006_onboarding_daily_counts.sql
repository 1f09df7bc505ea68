CREATE TABLE "onboarding_daily_counts" (
	"hub_id" uuid NOT NULL,
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "onboarding_daily_counts_hub_id_day_kind_pk" PRIMARY KEY("hub_id","day","kind")
);
--> statement-breakpoint
ALTER TABLE "onboarding_daily_counts" ADD CONSTRAINT "onboarding_daily_counts_hub_id_hubs_id_fk" FOREIGN KEY ("hub_id") REFERENCES "public"."hubs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "onboarding_sessions_channel_ids_idx" ON "onboarding_sessions" USING gin ("channel_external_ids" jsonb_path_ops);