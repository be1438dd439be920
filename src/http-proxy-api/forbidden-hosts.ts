/* eslint-disable no-bitwise */
// Address-range arithmetic is bit arithmetic: masks and shifts are the clearest way to write it.
import * as net from 'net';

/**
 * IPv4 ranges an egress API must never be pointed at: private (RFC 1918),
 * loopback, link-local (where instance metadata lives), carrier-grade NAT,
 * "this network" and the benchmarking and multicast/reserved blocks.
 */
const FORBIDDEN_IPV4: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'this-network'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (instance metadata)'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking (RFC 2544)'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

/** IPv6 prefixes with the same meaning, matched on the expanded address. */
const FORBIDDEN_IPV6: Array<[bigint, number, string]> = [
  [0n, 128, 'unspecified'],
  [1n, 128, 'loopback'],
  [0xfc00n << 112n, 7, 'unique local (private)'],
  [0xfe80n << 112n, 10, 'link-local'],
  [0xff00n << 112n, 8, 'multicast'],
];

/** Host names that reach instance metadata or the local machine. */
const METADATA_HOSTS = [
  'metadata',
  'metadata.google.internal',
  'metadata.azure.com',
  'instance-data',
  'instance-data.ec2.internal',
];

/** Suffixes of names that only resolve inside a private network. */
const PRIVATE_SUFFIXES = ['.internal', '.local', '.localhost', '.localdomain', '.intranet', '.lan'];

function ipv4ToInt(address: string): number {
  return address.split('.').reduce((acc, octet) => (acc * 256) + Number(octet), 0);
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  // an embedded IPv4 tail (::ffff:10.0.0.1) becomes two hextets
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const n = ipv4ToInt(v4[1]);
    text = text.slice(0, -v4[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = tail === undefined ? headParts : [...headParts, ...Array(missing).fill('0'), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) + BigInt(parseInt(part || '0', 16)), 0n);
}

/**
 * Why a literal IP address is not an acceptable egress target, or
 * `undefined` when it is a public address.
 */
export function forbiddenAddressReason(address: string): string | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  if (net.isIPv4(bare)) {
    const n = ipv4ToInt(bare);
    for (const [base, bits, label] of FORBIDDEN_IPV4) {
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      if (((n & mask) >>> 0) === ((ipv4ToInt(base) & mask) >>> 0)) {
        return `${bare} is in ${base}/${bits}, a ${label} range`;
      }
    }
    return undefined;
  }
  if (net.isIPv6(bare)) {
    const n = ipv6ToBigInt(bare);
    // IPv4-mapped (::ffff:0:0/96): judge the IPv4 address inside
    if ((n >> 32n) === 0xffffn) {
      const v4 = Number(n & 0xffffffffn);
      const dotted = [24, 16, 8, 0].map((s) => (v4 >>> s) & 0xff).join('.');
      const inner = forbiddenAddressReason(dotted);
      return inner ? `${bare} maps to ${inner}` : undefined;
    }
    for (const [base, bits, label] of FORBIDDEN_IPV6) {
      const shift = BigInt(128 - bits);
      if ((n >> shift) === (base >> shift)) {
        return `${bare} is in a ${label} range`;
      }
    }
    return undefined;
  }
  return undefined;
}

/**
 * Why a host name is not an acceptable egress target (metadata service,
 * the local machine, a private-only suffix), or `undefined`.
 */
export function forbiddenHostNameReason(hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (METADATA_HOSTS.includes(host)) {
    return `${host} is an instance metadata host name`;
  }
  if (host === 'localhost') {
    return 'localhost is the local machine';
  }
  const suffix = PRIVATE_SUFFIXES.find((s) => host.endsWith(s));
  if (suffix) {
    return `${host} ends in ${suffix}, which only resolves inside a private network`;
  }
  if (!host.includes('.')) {
    return `${host} is a single-label name, which only resolves inside a private network`;
  }
  return undefined;
}

/** True when the host is written as an IP literal. */
export function isIpLiteral(hostname: string): boolean {
  return net.isIP(hostname.replace(/^\[|\]$/g, '')) !== 0;
}
