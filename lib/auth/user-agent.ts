// A short, readable name for a browser from its User-Agent ("Chrome 131 on Linux"), for the sessions list and the
// new-browser email. A guess for people, never used for a decision.

const BROWSERS: [string, RegExp][] = [
  ["Edge", /Edg(?:e|A|iOS)?\/(\d+)/],
  ["Opera", /OPR\/(\d+)/],
  ["Firefox", /(?:Firefox|FxiOS)\/(\d+)/],
  ["Chrome", /(?:Chrome|CriOS)\/(\d+)/],
  ["Safari", /Version\/(\d+)[\d.]* .*Safari\//],
];

const SYSTEMS: [string, RegExp][] = [
  ["iOS", /iPhone|iPad|iPod/],
  ["Android", /Android/],
  ["Windows", /Windows/],
  ["macOS", /Mac OS X|Macintosh/],
  ["ChromeOS", /CrOS/],
  ["Linux", /Linux/],
];

export function describeBrowser(userAgent: string): string {
  if (!userAgent) return "Unknown browser";
  const browser = BROWSERS.find(([, re]) => re.test(userAgent));
  const system = SYSTEMS.find(([, re]) => re.test(userAgent));
  const name = browser ? `${browser[0]} ${browser[1].exec(userAgent)![1]}` : userAgent.split(/[\s/]/)[0]!.slice(0, 40) || "Unknown browser";
  return system ? `${name} on ${system[0]}` : name;
}
