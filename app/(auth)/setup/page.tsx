import type { Metadata } from "next";
import Link from "next/link";
import { isSetupOpen } from "@/lib/auth/users";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "First-run setup" };

export default async function SetupPage() {
  if (!(await isSetupOpen())) {
    return (
      <>
        <h1 className="text-xl font-semibold">Setup is complete</h1>
        <p className="mt-2 text-sm text-slate-600">This portal already has its administrator. New staff accounts are created by an admin.</p>
        <Link href="/login" className="mt-6 inline-block text-sm font-semibold text-brand-700 underline">
          Go to sign in
        </Link>
      </>
    );
  }
  return (
    <>
      <h1 className="text-xl font-semibold">Welcome: create the first administrator</h1>
      <p className="mt-1 text-sm text-slate-600">
        This account manages users, settings and API keys. This page closes for good once it exists.
      </p>
      <SetupForm />
    </>
  );
}
