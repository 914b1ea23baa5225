/**
 * Same-origin proxy: `/api/*` and `/socket.io/*` go to the API at PADDOCK_API_URL (default http://127.0.0.1:8080).
 * The URL is read per request (not baked in at build time), so the same build works against any API; the
 * websocket upgrade of socket.io is forwarded too. The browser never needs CORS.
 */
import { NextResponse, type NextRequest } from 'next/server';

function apiBase(): string {
  const env = process.env;
  return (env['PADDOCK_API_URL'] || 'http://127.0.0.1:8080').replace(/\/+$/, '');
}

export function proxy(request: NextRequest) {
  const target = new URL(request.nextUrl.pathname + request.nextUrl.search, apiBase());
  return NextResponse.rewrite(target);
}

export const config = { matcher: ['/api/:path*', '/socket.io/:path*'] };
