import Link from "next/link";
import { Card } from "@/app/_components/ui";
import type { GettingStarted } from "@/lib/dashboard/getting-started";

/** The Overview's getting-started checklist; each item ticks itself from what is stored (lib/dashboard/getting-started.ts). */
export function GettingStartedCard({ checklist }: { checklist: GettingStarted }) {
  return (
    <Card title={`Getting started: ${checklist.done} of ${checklist.items.length} done`}>
      <ol className="divide-y divide-slate-100" aria-label="Getting started">
        {checklist.items.map((item) => (
          <li key={item.key} data-testid={`checklist-${item.key}`} className="flex flex-wrap items-start gap-3 py-3 text-sm">
            <span
              aria-hidden="true"
              className={`mt-0.5 inline-flex h-5 w-5 shrink-0 items-center justify-center rounded-full border text-xs ${item.done ? "border-emerald-600 bg-emerald-600 text-white" : "border-slate-300 text-transparent"}`}
            >
              ✓
            </span>
            <div className="min-w-0 flex-1">
              <div className="font-medium text-slate-900">
                {item.title} <span className={item.done ? "text-emerald-700" : "text-slate-500"}>({item.done ? "done" : "to do"})</span>
              </div>
              <div className="text-slate-600">{item.detail}</div>
            </div>
            <Link href={item.href} className="shrink-0 text-brand-700 underline-offset-2 hover:underline">
              {item.action}
            </Link>
          </li>
        ))}
      </ol>
    </Card>
  );
}
