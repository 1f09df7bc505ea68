import { notFound } from "next/navigation";
import { requirePageRole } from "@/lib/auth/session";

// Any /dashboard/<unknown> address: answered by ../not-found.tsx inside the dashboard layout, so a signed-in user
// keeps the navigation. A visitor without a session is sent to sign in first, as on every dashboard page.
export default async function MissingDashboardPage(): Promise<never> {
  await requirePageRole("viewer");
  notFound();
}
