import "next-auth";
import "next-auth/jwt";

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string };
    sessionVersion: number;
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
  }
}
