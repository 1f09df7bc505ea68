import { requireRole } from "@/lib/auth/session";
import { EXPORT_LISTS, exportCsv, isExportList } from "@/lib/dashboard/exports";
import { AppError } from "@/lib/errors";
import { errorResponse } from "@/lib/http/error-response";

export const dynamic = "force-dynamic";

const noStore = { "Cache-Control": "no-store" };

/**
 * A dashboard list as CSV, filtered by the same query string as its page (docs/exports.md). Staff of any role: every
 * list exported here, the audit log included, is readable by viewers on its page.
 */
export async function GET(request: Request, { params }: { params: Promise<{ list: string }> }) {
  try {
    await requireRole("viewer");
    const { list } = await params;
    if (!isExportList(list)) throw new AppError("not_found:export", "There is no such list to export.");
    const query: Record<string, string> = {};
    for (const [key, value] of new URL(request.url).searchParams) if (!(key in query)) query[key] = value;
    const source = EXPORT_LISTS[list](query);
    const body = await exportCsv(source);
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
    return new Response(body, {
      headers: {
        ...noStore,
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${source.name}-${stamp}.csv"`,
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (error) {
    return errorResponse(error, { where: "exports", headers: noStore });
  }
}
