import { parseArgs } from "node:util";
import { API_TOKEN_SCOPES, cliTokenOwner, createApiToken } from "@/lib/api/tokens";
import { getDatabaseHandle } from "@/lib/db";
import { ConfigError, getEnv } from "@/lib/env";
import { isAppError } from "@/lib/errors";

// npm run token:create -- --name "CRM" --scopes read,onboard [--hub <hub id>] [--expires-days N] [--owner <admin email>]
// Creates a REST API token for automated set-ups and prints it (stdout, one line: the token only, so a script can
// capture it); everything else goes to stderr. The token acts for --owner, else the oldest enabled admin, and is
// audited like one made in Settings → API tokens (docs/api.md "Tokens").

const USAGE = `usage: npm run token:create -- --name <name> --scopes ${API_TOKEN_SCOPES.join(",")} [--hub <hub id>] [--expires-days N] [--owner <admin email>]`;

function fatal(message: string): never {
  console.error(`[token:create] ${message}`);
  process.exit(1);
}

let values: { name?: string; scopes?: string; hub?: string; "expires-days"?: string; owner?: string; help?: boolean };
try {
  values = parseArgs({
    options: {
      name: { type: "string" },
      scopes: { type: "string" },
      hub: { type: "string" },
      "expires-days": { type: "string" },
      owner: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }).values;
} catch (error) {
  fatal(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
}
if (values.help) {
  console.error(USAGE);
  process.exit(0);
}
if (!values.name || !values.scopes) fatal(USAGE);
const scopes = values.scopes.split(",").map((s) => s.trim()).filter(Boolean);
const unknown = scopes.filter((s) => !(API_TOKEN_SCOPES as readonly string[]).includes(s));
if (unknown.length > 0) fatal(`unknown scope(s): ${unknown.join(", ")}. Known: ${API_TOKEN_SCOPES.join(", ")}`);

try {
  getEnv();
} catch (error) {
  fatal(error instanceof ConfigError ? error.message : String(error));
}
const handle = await getDatabaseHandle().catch((error: unknown) => fatal(`cannot open the database: ${error instanceof Error ? error.message : String(error)}`));
try {
  const owner = await cliTokenOwner(values.owner);
  const created = await createApiToken(
    { id: owner.id, email: `${owner.email} (npm run token:create)` },
    { name: values.name, scopes: scopes as (typeof API_TOKEN_SCOPES)[number][], hubId: values.hub, expiresInDays: values["expires-days"] },
  );
  console.error(
    `[token:create] token "${created.row.name}" (${created.row.prefix}…) with scopes ${created.row.scopes.join(",")}` +
      `${created.row.hubId ? ` for hub ${created.row.hubId}` : " for every hub"}${created.row.expiresAt ? `, expires ${created.row.expiresAt.toISOString()}` : ""}, owned by ${owner.email}. It is shown only now:`,
  );
  console.log(created.token);
} catch (error) {
  if (isAppError(error)) {
    const fields = error.fieldErrors ? Object.entries(error.fieldErrors).map(([k, v]) => `${k}: ${v.join(" ")}`).join("; ") : "";
    fatal(`${error.publicMessage}${fields ? ` (${fields})` : ""}`);
  }
  fatal(error instanceof Error ? error.message : String(error));
} finally {
  await handle.close();
}
