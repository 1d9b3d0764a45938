/**
 * Who the client is, for per-client rate limits (server/client-address.ts): the socket's address,
 * or behind trusted proxies (SEATKIT_TRUST_PROXY) the rightmost X-Forwarded-For address that no
 * trusted proxy claims; IPv6 clients are grouped by /64.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientAddress, rateLimitKey, trustedProxies } from '../../server/client-address.js';

describe('trustedProxies (SEATKIT_TRUST_PROXY)', () => {
  it('is off when unset, empty or "off"', () => {
    for (const spec of [undefined, '', '  ', 'off']) assert.equal(trustedProxies(spec), null, String(spec));
  });

  it('takes addresses and CIDR ranges, IPv4 and IPv6, comma-separated', () => {
    const trusted = trustedProxies('10.0.0.0/8, 192.168.1.7,fd00::/8 , ::1')!;
    assert.equal(clientAddress('10.2.3.4', '198.51.100.1', trusted), '198.51.100.1');
    assert.equal(clientAddress('192.168.1.7', '198.51.100.1', trusted), '198.51.100.1');
    assert.equal(clientAddress('192.168.1.8', '198.51.100.1', trusted), '192.168.1.8');
    assert.equal(clientAddress('fd12::5', '198.51.100.1', trusted), '198.51.100.1');
    assert.equal(clientAddress('::1', '198.51.100.1', trusted), '198.51.100.1');
  });

  it('refuses what is not an address or a range, naming it', () => {
    for (const bad of ['proxy.internal', '10.0.0.0/33', '10.0.0.0/', '::1/129', '1.2.3', '10.0.0.0/8/8', '2', 'on']) {
      assert.throws(() => trustedProxies(`127.0.0.1,${bad}`), (error: Error) => error.message.includes('SEATKIT_TRUST_PROXY') && error.message.includes(bad), bad);
    }
  });
});

describe('clientAddress', () => {
  const trusted = trustedProxies('10.0.0.0/8')!;

  it('is the socket address when no proxy is trusted, whatever X-Forwarded-For says', () => {
    assert.equal(clientAddress('203.0.113.5', '198.51.100.1', null), '203.0.113.5');
    assert.equal(clientAddress('::ffff:203.0.113.5', null, null), '203.0.113.5', 'an IPv4-mapped IPv6 socket address is the IPv4 client');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    assert.equal(clientAddress('203.0.113.5', '198.51.100.1', trusted), '203.0.113.5');
  });

  it('walks X-Forwarded-For from the right past trusted proxies: the first address they do not claim is the client', () => {
    assert.equal(clientAddress('10.0.0.1', '198.51.100.1', trusted), '198.51.100.1');
    assert.equal(clientAddress('10.0.0.1', '198.51.100.1, 10.0.0.2, 10.0.0.3', trusted), '198.51.100.1');
    // Whatever the client wrote before its real address is ignored.
    assert.equal(clientAddress('10.0.0.1', '1.1.1.1, 8.8.8.8, 198.51.100.1', trusted), '198.51.100.1');
    assert.equal(clientAddress('::ffff:10.0.0.1', '198.51.100.1', trusted), '198.51.100.1');
    assert.equal(clientAddress('10.0.0.1', '2001:db8::7', trusted), '2001:db8::7');
  });

  it('reads entries that carry a port, brackets or quotes', () => {
    assert.equal(clientAddress('10.0.0.1', '9.9.9.9,198.51.100.1:4711', trusted), '198.51.100.1');
    assert.equal(clientAddress('10.0.0.1', '[2001:db8::7]:443', trusted), '2001:db8::7');
    assert.equal(clientAddress('10.0.0.1', '"[2001:db8::7]"', trusted), '2001:db8::7');
  });

  it('stops at a hop that is not an address: the last proxy that passed it on is the client', () => {
    assert.equal(clientAddress('10.0.0.1', '198.51.100.1, unknown, 10.0.0.2', trusted), '10.0.0.2');
    assert.equal(clientAddress('10.0.0.1', 'garbage', trusted), '10.0.0.1');
    assert.equal(clientAddress('10.0.0.1', '', trusted), '10.0.0.1');
  });

  it('is the leftmost address when every hop is a trusted proxy', () => {
    assert.equal(clientAddress('10.0.0.1', '10.0.0.9, 10.0.0.2', trusted), '10.0.0.9');
  });
});

describe('rateLimitKey', () => {
  it('keeps IPv4 addresses as they are', () => {
    assert.equal(rateLimitKey('198.51.100.1'), '198.51.100.1');
  });

  it('groups IPv6 addresses by /64, however they are written', () => {
    const key = rateLimitKey('2001:db8:1:2::1');
    assert.equal(key, '2001:db8:1:2::/64');
    for (const same of ['2001:db8:1:2:ffff:ee:dd:cc', '2001:0DB8:0001:0002:0:0:0:9', '2001:db8:1:2::ffff:1.2.3.4', '2001:db8:1:2::1%eth0']) {
      assert.equal(rateLimitKey(same), key, same);
    }
    assert.notEqual(rateLimitKey('2001:db8:1:3::1'), key);
    assert.equal(rateLimitKey('::1'), '0:0:0:0::/64');
    assert.equal(rateLimitKey('fe80::1:2:3:4'), 'fe80:0:0:0::/64');
    assert.equal(rateLimitKey('1:2:3::'), '1:2:3:0::/64');
  });
});
