import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { sameOriginRedirect } from "@/lib/auth/callback-url";
import { getAuthOptions } from "@/lib/auth/options";
import { guardCredentialsSignIn, isCredentialsCallback } from "@/lib/auth/sign-in-guard";
import { publicBaseUrl } from "@/lib/env";
import { refusal } from "@/lib/http/error-response";

type Context = { params: Promise<{ nextauth: string[] }> };

/**
 * next-auth answers a `?callbackUrl=` it cannot parse as a URL with a 500 ("server configuration") on every
 * route but its GET pages. The query value is replaced by the safe target it would get anyway (docs/security.md R13).
 */
async function withSafeCallbackQuery(req: NextRequest): Promise<NextRequest> {
  const callbackUrl = req.nextUrl.searchParams.get("callbackUrl");
  if (callbackUrl === null) return req;
  const url = new URL(req.url);
  url.searchParams.set("callbackUrl", sameOriginRedirect(callbackUrl, publicBaseUrl()));
  const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.text();
  return new NextRequest(url, { method: req.method, headers: req.headers, body });
}

async function nextAuth(req: NextRequest, ctx: Context) {
  return NextAuth(getAuthOptions())(await withSafeCallbackQuery(req), ctx);
}

export async function GET(req: NextRequest, ctx: Context) {
  // next-auth answers a GET here with a 500 ("not supported"); it is simply the wrong method.
  if (isCredentialsCallback((await ctx.params).nextauth)) {
    return refusal("method_not_allowed", "Sign in with a POST.", { headers: { Allow: "POST" } });
  }
  return nextAuth(req, ctx);
}

export async function POST(req: NextRequest, ctx: Context) {
  const guarded = await guardCredentialsSignIn(req, (await ctx.params).nextauth);
  return "refused" in guarded ? guarded.refused : nextAuth(guarded.forward, ctx);
}
