import type { Metadata } from "next";
import Link from "next/link";
import { isResetLinkLive } from "@/lib/auth/password-reset";
import { ResetPasswordForm } from "./reset-password-form";

// same-origin, not no-referrer: the token never reaches another site, and the form's POST keeps its Origin
// (lib/http/security-headers.ts).
export const metadata: Metadata = { title: "Choose a new password", referrer: "same-origin" };

export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  if (!(await isResetLinkLive(token))) {
    return (
      <>
        <h1 className="text-xl font-semibold">This link does not work</h1>
        <p className="mt-2 text-sm text-slate-600">It was used already, has expired (links work for 30 minutes) or was replaced. Ask for a new one.</p>
        <Link href="/forgot-password" className="mt-6 inline-block text-sm font-semibold text-brand-700 underline">
          Ask for a new link
        </Link>
      </>
    );
  }
  return (
    <>
      <h1 className="text-xl font-semibold">Choose a new password</h1>
      <p className="mt-1 text-sm text-slate-600">Every session of your account ends when you save it.</p>
      <ResetPasswordForm token={token} />
    </>
  );
}
