import { check, nextPageLink, request } from "./http";

// The pages the issue names, with the text each must contain when the signed-in page really rendered.

export type Page = { label: string; path: string; expect: string };

const DEEP_PAGES = Number(process.env.BENCH_DEEP_PAGES ?? 50);

/** Follows the Clients list's "Next page" link DEEP_PAGES times, as a user would; returns that page's URL. */
async function deepClientsPage(base: string, cookie: string): Promise<string> {
  let path = "/dashboard/clients";
  for (let i = 0; i < DEEP_PAGES; i++) {
    const answer = await request(base, path, { cookie });
    check(answer, path, "Clients");
    const next = nextPageLink(answer.body);
    if (!next) break;
    path = `/dashboard/clients${next}`;
  }
  return path;
}

export async function benchPages(base: string, cookie: string, search: { name: string; digits: string }): Promise<Page[]> {
  const pages: Page[] = [
    { label: "Overview", path: "/dashboard", expect: "Overview" },
    { label: "Needs attention", path: "/dashboard/attention", expect: "id=\"f-rule\"" },
    { label: "Needs attention, no key", path: "/dashboard/attention?rule=no_api_key", expect: "id=\"f-rule\"" },
    { label: "Clients, first page", path: "/dashboard/clients", expect: "Next page" },
    { label: `Clients, page ${DEEP_PAGES + 1}`, path: await deepClientsPage(base, cookie), expect: "Clients" },
    { label: "Clients, search by name", path: `/dashboard/clients?q=${encodeURIComponent(search.name)}`, expect: search.name },
    { label: "Clients, search by phone", path: `/dashboard/clients?q=${encodeURIComponent(search.digits)}`, expect: search.digits },
    { label: "Channels, running", path: "/dashboard/channels?status=running", expect: "Next page" },
    { label: "Channels, ready", path: "/dashboard/channels?status=ready", expect: "Channels" },
    { label: "Webhooks inbox", path: "/dashboard/webhooks", expect: "Next page" },
    { label: "Templates", path: "/dashboard/templates", expect: "Templates" },
    { label: "Templates, rejected", path: "/dashboard/templates?status=rejected", expect: "Templates" },
  ];
  return pages;
}
