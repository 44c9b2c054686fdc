/**
 * Host names as the API's servers judge them (the HTTP routes and the WebSocket upgrade alike): a
 * page on a rebinding DNS name that resolves to 127.0.0.1 reaches a loopback server with the
 * browser's same-origin blessing, and only its Host header gives it away.
 */

/** The loopback names a loopback-bound API answers by default (`api.allowed_hosts`). */
export const LOOPBACK_HOST_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** The name part of a Host header in lower case (`[::1]:8787` → `::1`, `LocalHost:80` → `localhost`). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  // A bare IPv6 address (a bind address, never a Host header) has several colons and no port.
  return colon === -1 || h.indexOf(':') !== colon ? h : h.slice(0, colon);
}

/** localhost, 127.0.0.0/8 or ::1, given a bare name (no port). */
export function isLoopbackName(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'localhost' || n === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(n);
}

/** A Host header that names a loopback name or address (any port). */
export function isLoopbackHost(host: string): boolean {
  return isLoopbackName(hostName(host));
}
