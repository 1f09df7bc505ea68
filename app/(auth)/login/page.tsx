import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { getCurrentUser } from "@/lib/auth/session";
import { isSetupOpen } from "@/lib/auth/users";
import { getEnv } from "@/lib/env";
import Link from "next/link";
import { PasskeySignInButton } from "@/app/_components/passkeys";
import { Alert } from "@/app/_components/ui";
import { LoginForm } from "./login-form";
import { messageForErrorCode } from "./messages";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  if (await isSetupOpen()) redirect("/setup");
  const params = await searchParams;
  const callbackUrl = safeCallbackPath(params.callbackUrl);
  if (await getCurrentUser()) redirect(callbackUrl);
  return (
    <>
      <h1 className="text-xl font-semibold">Sign in to the partner portal</h1>
      <p className="mt-1 text-sm text-slate-600">For partner staff. Clients connect their number from the start page or their invite link.</p>
      {params.created ? (
        <div className="mt-4">
          <Alert tone="success">Your account is ready. Sign in with your email and the password you chose.</Alert>
        </div>
      ) : null}
      {params.reset ? (
        <div className="mt-4">
          <Alert tone="success">Your password was changed and every session of your account was ended. Sign in with the new password.</Alert>
        </div>
      ) : null}
      <LoginForm callbackUrl={callbackUrl} initialError={typeof params.error === "string" ? messageForErrorCode(params.error, getEnv().LOGIN_WINDOW_MINUTES * 60) : undefined} />
      <div className="mt-4 space-y-3 text-sm">
        <PasskeySignInButton callbackUrl={callbackUrl} />
        <p className="text-center">
          <Link href="/forgot-password" className="text-brand-700 underline-offset-2 hover:underline">
            Forgot your password?
          </Link>
        </p>
      </div>
    </>
  );
}
