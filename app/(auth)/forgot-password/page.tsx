import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { mailConfigured } from "@/lib/mail/send";
import { ForgotPasswordForm } from "./forgot-password-form";

export const metadata: Metadata = { title: "Forgot password" };

export default async function ForgotPasswordPage() {
  await connection();
  return (
    <>
      <h1 className="text-xl font-semibold">Forgot your password?</h1>
      <p className="mt-1 text-sm text-slate-600">Type the email of your staff account and we send you a link to choose a new password.</p>
      <ForgotPasswordForm mailReady={mailConfigured()} />
      <Link href="/login" className="mt-6 inline-block text-sm text-brand-700 underline-offset-2 hover:underline">
        Back to sign-in
      </Link>
    </>
  );
}
