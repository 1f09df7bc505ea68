import { defineConfig } from "drizzle-kit";

// Only used to generate SQL migrations from db/schema.ts; no database connection is needed.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./drizzle",
  casing: "snake_case",
});
