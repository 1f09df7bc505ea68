import Link from "next/link";
import { connection } from "next/server";

export default async function NotFound() {
  await connection(); // rendered per request so it carries the CSP nonce
  return (
    <main className="mx-auto max-w-lg px-6 py-24 text-center">
      <p className="text-sm font-semibold text-slate-500">404</p>
      <h1 className="mt-2 text-2xl font-semibold">This page does not exist</h1>
      <Link href="/" className="mt-6 inline-block text-sm font-semibold text-brand-700 underline">
        Go to the start page
      </Link>
    </main>
  );
}
