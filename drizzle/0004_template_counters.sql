CREATE TABLE "template_status_counts" (
	"hub_id" uuid NOT NULL,
	"status" text NOT NULL,
	"n" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "template_status_counts_hub_id_status_pk" PRIMARY KEY("hub_id","status")
);
--> statement-breakpoint
ALTER TABLE "template_status_counts" ADD CONSTRAINT "template_status_counts_hub_id_hubs_id_fk" FOREIGN KEY ("hub_id") REFERENCES "public"."hubs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "templates_awaiting_review_idx" ON "templates" USING btree (coalesce("submitted_at", "created_at"),"id") WHERE "templates"."status" in ('submitted', 'SUBMITTED', 'pending', 'PENDING', 'in_appeal', 'IN_APPEAL');