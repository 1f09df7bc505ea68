ALTER TABLE "templates" ADD COLUMN "replaces_id" uuid;--> statement-breakpoint
ALTER TABLE "templates" ADD COLUMN "replaced_by_id" uuid;--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_replaces_id_templates_id_fk" FOREIGN KEY ("replaces_id") REFERENCES "public"."templates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "templates" ADD CONSTRAINT "templates_replaced_by_id_templates_id_fk" FOREIGN KEY ("replaced_by_id") REFERENCES "public"."templates"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "templates_replaced_idx" ON "templates" USING btree ("hub_id","status") WHERE "templates"."replaced_by_id" is not null;--> statement-breakpoint
CREATE INDEX "templates_replaces_idx" ON "templates" USING btree ("replaces_id");