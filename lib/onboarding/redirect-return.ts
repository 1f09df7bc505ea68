// 360dialog's redirect brings the client back with `?client=…&channels=…` (and `revoked`, `state`;
// docs/hub-contract.md §2). With the official Connect Button that redirect goes to the page hosting the button
// (`/`, `/join/<token>`), which must then hand the query over (app/(public)/_components/redirect-handoff.tsx).

const REDIRECT_PARAMS = ["client", "channels", "revoked", "state"] as const;

/** The pages hosting the Connect Button, which the package makes 360dialog's redirect target. */
const CONNECT_BUTTON_HOSTS = [/^\/$/, /^\/join\/[^/]+$/];

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

/** Whether a page was reached as 360dialog's redirect target: any of its parameters is there. */
export function isRedirectReturn(params: Params): boolean {
  return REDIRECT_PARAMS.some((name) => (params instanceof URLSearchParams ? params.has(name) : params[name] !== undefined));
}

/**
 * The App Router page that answers a Connect Button host reached with the redirect query: the light pages
 * (pages/, docs/nextjs.md §2) load no React before a click, and the hand-off needs it at once, so proxy.ts rewrites
 * such a request to the redirect page, under the same address. Null when the request is no such return.
 */
export function redirectReturnRewrite(pathname: string, params: URLSearchParams): "/onboarding/redirect" | null {
  return CONNECT_BUTTON_HOSTS.some((re) => re.test(pathname)) && isRedirectReturn(params) ? "/onboarding/redirect" : null;
}
