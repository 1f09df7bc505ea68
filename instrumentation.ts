export async function register() {
  // Next.js's documented runtime check; everything else reads configuration through lib/env.ts.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { boot } = await import("./lib/boot");
    await boot();
  }
}
