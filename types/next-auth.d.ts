import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string };
    sessionVersion: number;
    /** The staff_sessions row this session is (docs/accounts.md §5). */
    sessionId?: string;
  }
  interface User {
    id: string;
    email: string;
    name: string;
    sessionVersion: number;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid: string;
    sv: number;
    /** The staff_sessions row: a token without one, or whose row has ended, is refused. */
    sid?: string;
  }
}
