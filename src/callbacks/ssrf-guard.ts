/**
 * The SSRF policy for callback URLs: which hosts and addresses a callback may reach. Two checks
 * share it: the static one at `picsi` time (scheme, literal IPs, known internal names; no DNS) and
 * the one at delivery, which validates every address the host name resolves to.
 *
 * Policy: only globally routable unicast addresses (ipaddr.js range `unicast`) are allowed; every
 * special-purpose range is refused (loopback, RFC 1918, link-local, CGNAT, unique-local, IPv4-mapped,
 * IPv4-compatible, NAT64, 6to4, multicast, reserved…), as are names that only resolve inside a
 * network and names with an empty label (`name..`). Only the web ports (80, 443) and unprivileged
 * ones (1024 and up) are allowed: the others are where internal services (SSH, SMTP, databases on
 * low ports) listen. The operator's allow-list (CALLBACK_ALLOW_HOSTS: host names, IPs or CIDRs)
 * overrides the refusal, ports included.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Labels for the ranges we refuse, as data. Anything not `unicast` and not listed is "special-purpose". */
const RANGE_LABELS: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private (RFC 1918) address',
  linkLocal: 'a link-local address',
  carrierGradeNat: 'a carrier-grade NAT (RFC 6598) address',
  uniqueLocal: 'a unique-local (private IPv6) address',
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
  ipv4Compatible: 'an IPv4-compatible IPv6 address (::a.b.c.d, deprecated)',
  rfc6145: 'an IPv4-translated IPv6 address',
  rfc6052: 'a NAT64 (IPv4-embedding) address',
  '6to4': 'a 6to4 (IPv4-embedding) address',
  teredo: 'a Teredo (IPv4-embedding) address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
  reserved: 'a reserved address',
};

/** Cloud instance-metadata endpoints get a more precise message (they are in refused ranges anyway). */
const METADATA_ADDRESSES: ReadonlySet<string> = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254']);

/** Names that only resolve inside a host or network: `exact` match, or the name and its subdomains (`suffix`). */
const INTERNAL_NAMES: readonly { name: string; match: 'exact' | 'suffix'; reason: string }[] = [
  { name: 'localhost', match: 'suffix', reason: 'a loopback name' },
  { name: 'metadata.google.internal', match: 'exact', reason: 'a cloud metadata name' },
  { name: 'metadata.goog', match: 'exact', reason: 'a cloud metadata name' },
  { name: 'internal', match: 'suffix', reason: 'an internal-only name (.internal)' },
  { name: 'local', match: 'suffix', reason: 'a multicast-DNS name (.local)' },
  { name: 'localdomain', match: 'suffix', reason: 'a local-only name (.localdomain)' },
  { name: 'home.arpa', match: 'suffix', reason: 'a home-network name (.home.arpa)' },
];

const ALLOW_HINT = 'callbacks must go to a public host; an operator can allow this host with CALLBACK_ALLOW_HOSTS';

/** Ports a callback may use: the web's, and the unprivileged range. */
const portAllowed = (port: number) => port === 80 || port === 443 || port >= 1024;

/** ::a.b.c.d (RFC 4291's deprecated IPv4-compatible form): ipaddr.js calls the range `unicast`, routers may deliver it to a.b.c.d. */
const isIpv4Compatible = (address: Address) => address instanceof ipaddr.IPv6 && address.parts.slice(0, 6).every((part) => part === 0);

const rangeOf = (address: Address): string => {
  const range = address.range();
  return range === 'unicast' && isIpv4Compatible(address) ? 'ipv4Compatible' : range;
};

/** The URL's port, or its scheme's default. */
const portOf = (url: URL) => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

export interface HostPolicy {
  /**
   * Static check of a URL (no DNS): null when it may be used, else why not, phrased to follow the
   * URL's name ("must be an absolute http(s) URL", "is refused: 10.0.0.1 is a private … address").
   */
  checkUrl(url: string): string | null;
  /** Whether `host` (from the URL) is allow-listed by name: then any address it resolves to is accepted. */
  hostAllowed(host: string): boolean;
  /** Check one resolved address of `host`: a refusal message, or null. */
  checkAddress(host: string, ip: string): string | null;
}

/** The URL's host without IPv6 brackets or a trailing dot, lower-cased. */
export function urlHost(url: URL): string {
  return url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

/** Why a host name (not an IP) is refused statically, or null. */
function nameRefusal(host: string): string | null {
  if (host.startsWith('.') || host.endsWith('.') || host.includes('..')) return `${host} has an empty label`;
  const internal = INTERNAL_NAMES.find((n) => host === n.name || (n.match === 'suffix' && host.endsWith(`.${n.name}`)));
  if (internal) return `${host} is ${internal.reason}`;
  if (!host.includes('.')) return `${host} is a single-label name, which resolves through local search domains`;
  return null;
}

export function createHostPolicy(allowHosts: readonly string[]): HostPolicy {
  const allowedNames = new Set<string>();
  const allowedRanges: [Address, number][] = [];
  for (const raw of allowHosts) {
    const entry = raw
      .trim()
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1');
    if (entry === '') continue;
    if (entry.includes('/')) {
      if (!ipaddr.isValidCIDR(entry)) throw new Error(`CALLBACK_ALLOW_HOSTS: ${JSON.stringify(raw)} is not a valid CIDR range`);
      allowedRanges.push(ipaddr.parseCIDR(entry));
    } else if (isIP(entry) !== 0) {
      const address = ipaddr.parse(entry);
      allowedRanges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else {
      allowedNames.add(entry.replace(/\.$/, ''));
    }
  }

  const addressAllowed = (address: Address): boolean =>
    allowedRanges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));

  const checkAddress = (host: string, ip: string): string | null => {
    if (isIP(ip) === 0) return `${host} resolved to ${JSON.stringify(ip)}, which is not an IP address`;
    const address = ipaddr.parse(ip);
    if (addressAllowed(address)) return null;
    if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress() && addressAllowed(address.toIPv4Address())) return null;
    const range = rangeOf(address);
    if (range === 'unicast') return null;
    const shown =
      address instanceof ipaddr.IPv6
        ? address.isIPv4MappedAddress()
          ? `::ffff:${address.toIPv4Address().toString()}`
          : range === 'ipv4Compatible'
            ? `::${ipaddr.fromByteArray(address.toByteArray().slice(12)).toString()}`
            : address.toRFC5952String()
        : address.toString();
    const label = METADATA_ADDRESSES.has(shown)
      ? 'a cloud metadata address'
      : (RANGE_LABELS[range] ?? `a special-purpose address (${range})`);
    return isIP(host) !== 0 ? `${shown} is ${label}` : `${host} resolves to ${shown}, ${label}`;
  };

  return {
    hostAllowed: (host) => allowedNames.has(host),
    checkAddress,
    checkUrl(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return 'must be an absolute http(s) URL';
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an absolute http(s) URL';
      if (parsed.username || parsed.password) return 'must not carry credentials';
      const host = urlHost(parsed);
      if (allowedNames.has(host)) return null;
      if (isIP(host) !== 0) {
        const refusal = checkAddress(host, host);
        if (refusal !== null) return `is refused: ${refusal} (${ALLOW_HINT})`;
        if (addressAllowed(ipaddr.parse(host))) return null;
      } else {
        const refusal = nameRefusal(host);
        if (refusal !== null) return `is refused: ${refusal} (${ALLOW_HINT})`;
      }
      const port = portOf(parsed);
      return portAllowed(port) ? null : `is refused: port ${port} is not 80, 443 or 1024 and up (${ALLOW_HINT})`;
    },
  };
}
