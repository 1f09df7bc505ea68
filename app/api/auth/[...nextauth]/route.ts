import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/options";
import { guardCredentialsSignIn } from "@/lib/auth/sign-in-guard";

type Context = { params: Promise<{ nextauth: string[] }> };

function nextAuth(req: Request, ctx: Context) {
  return NextAuth(getAuthOptions())(req, ctx);
}

export const GET = nextAuth;

export async function POST(req: Request, ctx: Context) {
  const refused = await guardCredentialsSignIn(req, new URL(req.url).origin);
  return refused ?? nextAuth(req, ctx);
}
