import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Partner portal", template: "%s · Partner portal" },
  description: "Onboard WhatsApp Business clients through 360dialog and follow every number until it runs.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
