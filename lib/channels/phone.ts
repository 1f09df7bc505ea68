/** The spellings one number may be stored under (`+49151…`, `49151…`, as given), for lookups by phone number. */
export function phoneVariants(phone: string): string[] {
  const digits = phone.replace(/\D/g, "");
  return [...new Set([phone, digits, `+${digits}`])].filter((p) => p !== "" && p !== "+");
}
