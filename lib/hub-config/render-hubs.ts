import "server-only";
import { cache } from "react";
import { listHubs } from "@/db/queries/hubs";
import type { Hub } from "@/db/schema";
import { getDb } from "../db";

/**
 * Every hub, read once per page render: the dashboard's layout (the header's badges), its page and the loaders
 * under it all ask, and React's `cache` gives them one read for the whole render (docs/nextjs.md §3). Outside a
 * render (server actions, route handlers, jobs) `cache` keeps nothing, so every call there reads the table anew.
 */
export const listHubsOfThisRender = cache(async (): Promise<Hub[]> => listHubs({ db: await getDb() }));
