ALTER TABLE "onboarding_sessions" ADD COLUMN "first_returned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "onboarding_sessions" ADD COLUMN "first_client_confirmed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "onboarding_sessions" ADD COLUMN "first_channel_created_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "onboarding_sessions" ADD COLUMN "first_channel_running_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "onboarding_sessions" ADD COLUMN "first_key_stored_at" timestamp with time zone;