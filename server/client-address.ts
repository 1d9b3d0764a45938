/**
 * Who a request comes from, for per-client rate limits (Node only). By default the socket's peer;
 * behind the operator's own proxies (`SEATKIT_TRUST_PROXY`), the address the outermost trusted
 * proxy saw. X-Forwarded-For is read from the right: each proxy appends the address it received
 * from, so the entries left of the first address no trusted proxy claims were written by the
 * client and prove nothing.
 */
import { BlockList, isIP } from 'node:net';

/** An address as Node reports it, without the IPv4-mapped prefix (`::ffff:10.0.0.1` is `10.0.0.1`). */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 4 ? 'ipv4' : 'ipv6';
}

/**
 * Parses `SEATKIT_TRUST_PROXY`: comma-separated addresses and CIDR ranges of the operator's own
 * proxies (`10.0.0.0/8, 192.168.1.7, fd00::/8`). Unset, empty or `off`: no proxy is trusted.
 * Throws on an entry that is neither, naming it.
 */
export function trustedProxies(spec: string | undefined): BlockList | null {
  if (spec === undefined || spec.trim() === '' || spec.trim() === 'off') return null;
  const list = new BlockList();
  for (const entry of spec.split(',').map((e) => e.trim()).filter(Boolean)) {
    const bad = () => new Error(`SEATKIT_TRUST_PROXY: "${entry}" is not an IP address or a CIDR range (like 10.0.0.0/8)`);
    const [address = '', prefix, ...rest] = entry.split('/');
    const ip = plain(address);
    if (!isIP(ip) || rest.length > 0) throw bad();
    if (prefix === undefined) {
      list.addAddress(ip, family(ip));
      continue;
    }
    const bits = Number(prefix);
    if (!/^\d{1,3}$/.test(prefix) || bits > (family(ip) === 'ipv4' ? 32 : 128)) throw bad();
    list.addSubnet(ip, bits, family(ip));
  }
  return list;
}

/** One X-Forwarded-For entry as an address (some proxies add a port, brackets or quotes), or null. */
function hop(entry: string): string | null {
  const text = entry.trim().replace(/^"(.*)"$/, '$1');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  const address = plain(bracketed ? bracketed[1]! : text.replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1'));
  return isIP(address) ? address : null;
}

/** The client's address: the socket's, or behind trusted proxies the rightmost hop they do not claim. */
export function clientAddress(socketAddress: string, forwardedFor: string | null, trusted: BlockList | null): string {
  let client = plain(socketAddress);
  if (!trusted || !forwardedFor) return client;
  const hops = forwardedFor.split(',');
  while (hops.length > 0 && trusted.check(client, family(client))) {
    const next = hop(hops.pop()!);
    // A hop that is not an address: the proxy that passed it on is as far as the chain is known.
    if (next === null) break;
    client = next;
  }
  return client;
}

/**
 * The rate-limit key of an address: IPv4 as it is, IPv6 by its /64 (one subscriber's network is
 * usually a /64 or more, and an address in it costs nothing to change).
 */
export function rateLimitKey(address: string): string {
  if (isIP(address) !== 6) return address;
  let text = address.split('%')[0]!.toLowerCase();
  // An IPv4 tail (`::ffff:1.2.3.4`, `64:ff9b::1.2.3.4`) is the last two groups.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
