/** An optional timestamp string as a valid Date; absent, empty or unparseable values are undefined. */
export function dateOf(value: string | undefined): Date | undefined {
  const at = value ? new Date(value) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : undefined;
}
