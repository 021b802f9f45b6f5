import { describe, expect, it, jest } from '@jest/globals';
import { DestinationGuard, DestinationRefusedError, parseCidrs, type HostLookup } from './ssrf-guard';

const noLookup: HostLookup = () => Promise.reject(new Error('no DNS in unit tests'));

describe('parseCidrs', () => {
  it('reads nothing from an empty or blank value', () => {
    expect(parseCidrs('')).toEqual([]);
    expect(parseCidrs('  ,  ')).toEqual([]);
  });

  it('reads comma-separated ranges, tolerating whitespace', () => {
    expect(parseCidrs(' 127.0.0.1/32 ,10.0.0.0/8,fd00::/8 ')).toEqual([
      { family: 4, network: 0x7f000001n, prefix: 32 },
      { family: 4, network: 0x0a000000n, prefix: 8 },
      { family: 6, network: 0xfdn << 120n, prefix: 8 },
    ]);
  });

  it('takes a bare address as a single host', () => {
    expect(parseCidrs('127.0.0.1')).toEqual([{ family: 4, network: 0x7f000001n, prefix: 32 }]);
    expect(parseCidrs('::1')).toEqual([{ family: 6, network: 1n, prefix: 128 }]);
  });

  it('clears host bits', () => {
    expect(parseCidrs('127.1.2.3/8')).toEqual([{ family: 4, network: 0x7f000000n, prefix: 8 }]);
  });

  it('reads an IPv4-mapped range as the IPv4 range', () => {
    expect(parseCidrs('::ffff:127.0.0.0/104')).toEqual([{ family: 4, network: 0x7f000000n, prefix: 8 }]);
    expect(parseCidrs('::ffff:7f00:1')).toEqual([{ family: 4, network: 0x7f000001n, prefix: 32 }]);
  });

  it.each([
    ['localhost', /'localhost' is not an IP address or CIDR/],
    ['10.0.0.0/33', /'10.0.0.0\/33' has an invalid prefix length \(0 to 32\)/],
    ['10.0.0.0/', /'10.0.0.0\/' has an invalid prefix length/],
    ['10.0.0.0/8/8', /'10.0.0.0\/8\/8' is not an IP address or CIDR/],
    ['fd00::/129', /'fd00::\/129' has an invalid prefix length \(0 to 128\)/],
    ['010.0.0.1/32', /'010.0.0.1\/32' is not an IP address or CIDR/],
    ['10.0.0', /'10.0.0' is not an IP address/],
    ['256.0.0.1', /'256.0.0.1' is not an IP address/],
    ['1::2::3', /'1::2::3' is not an IP address/],
    ['::ffff:10.0.0.0/64', /IPv4-mapped range needs a prefix of at least 96/],
  ])('names the bad item %s', (raw, message) => {
    expect(() => parseCidrs(`127.0.0.1/32, ${raw}`)).toThrow(message);
  });
});

describe('DestinationGuard.isAllowed', () => {
  const guard = new DestinationGuard([], noLookup);

  it.each([
    '0.0.0.0',
    '0.1.2.3',
    '10.0.0.1',
    '10.255.255.255',
    '100.64.0.1',
    '100.127.255.254',
    '127.0.0.1',
    '127.0.0.2',
    '127.255.255.255',
    '169.254.169.254',
    '169.254.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.0.2.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::127.0.0.1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:0:a00:1',
    'fe80::1',
    'fe80::1%eth0',
    'febf:ffff::1',
    'fec0::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '64:ff9b::7f00:1',
    '64:ff9b::a9fe:a9fe',
    '64:ff9b:1::1',
    '2002:7f00:1::1',
    '2002:a00:1::',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '2001:db8::1',
    '100::1',
    '[::1]',
  ])('refuses %s', (address) => {
    expect(guard.isAllowed(address)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '169.253.255.255',
    '223.255.255.255',
    '::ffff:8.8.8.8',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '[2606:4700:4700::1111]',
  ])('allows the public address %s', (address) => {
    expect(guard.isAllowed(address)).toBe(true);
  });

  it.each(['', 'localhost', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1::2::3', ':::', '12345::', '1.2.3.4::'])(
    'refuses what is not an address: %s',
    (address) => {
      expect(guard.isAllowed(address)).toBe(false);
    },
  );

  it('lets the allow-list open loopback and private ranges, in every spelling of the address', () => {
    const allowing = new DestinationGuard(parseCidrs('127.0.0.1/32, 10.1.0.0/16, fd00::/8'), noLookup);
    for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '::ffff:7f00:1', '[::ffff:7f00:1]', '10.1.2.3'])
      expect(allowing.isAllowed(address)).toBe(true);
    expect(allowing.isAllowed('fd00::1')).toBe(true);
    expect(allowing.isAllowed('64:ff9b::7f00:1')).toBe(true);
    for (const address of ['127.0.0.2', '::ffff:127.0.0.2', '10.2.0.1', '::1', 'fc00::1'])
      expect(allowing.isAllowed(address)).toBe(false);
  });
});

describe('DestinationGuard.vet', () => {
  const loopbackSpellings = [
    'http://127.0.0.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0x7f.1/',
    'http://017700000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://127.0.0.1./',
    'https://127.0.0.1:8443/hook',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:127.0.0.1]/',
  ];

  it.each(loopbackSpellings)('refuses %s without an allow-list', async (url) => {
    const lookup = jest.fn(noLookup);
    await expect(new DestinationGuard([], lookup).vet(new URL(url))).rejects.toThrow(DestinationRefusedError);
    expect(lookup).not.toHaveBeenCalled();
  });

  it.each(loopbackSpellings)('connects %s to 127.0.0.1 when allowed', async (url) => {
    const guard = new DestinationGuard(parseCidrs('127.0.0.1/32'), noLookup);
    await expect(guard.vet(new URL(url))).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });

  it.each([
    'http://127.0.0.2/',
    'http://2130706434/',
    'http://[::ffff:127.0.0.2]/',
    'http://[::1]/',
    'http://[::]/',
    'http://0/',
    'http://0.0.0.0/',
    'http://169.254.169.254/latest/meta-data/',
    'http://0xa9fea9fe/',
    'http://10.0.0.1/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://[::ffff:a9fe:a9fe]/',
  ])('refuses %s when only 127.0.0.1 is allowed', async (url) => {
    const guard = new DestinationGuard(parseCidrs('127.0.0.1/32'), noLookup);
    await expect(guard.vet(new URL(url))).rejects.toThrow('destination not allowed');
  });

  it.each(['ftp://8.8.8.8/', 'file:///etc/passwd', 'ws://8.8.8.8/', 'gopher://8.8.8.8/'])(
    'refuses the scheme of %s',
    async (url) => {
      await expect(new DestinationGuard([], noLookup).vet(new URL(url))).rejects.toThrow(
        DestinationRefusedError,
      );
    },
  );

  it('returns a public IPv6 literal in its canonical form', async () => {
    const guard = new DestinationGuard([], noLookup);
    await expect(guard.vet(new URL('https://[2606:4700:4700:0:0:0:0:1111]/'))).resolves.toEqual({
      address: '2606:4700:4700::1111',
      family: 6,
    });
  });

  it('resolves a host name and connects to its first address', async () => {
    const lookup = jest.fn<HostLookup>(() =>
      Promise.resolve([
        { address: '93.184.215.14', family: 4 },
        { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
      ]),
    );
    const guard = new DestinationGuard([], lookup);
    await expect(guard.vet(new URL('https://hooks.example.com/x'))).resolves.toEqual({
      address: '93.184.215.14',
      family: 4,
    });
    expect(lookup).toHaveBeenCalledWith('hooks.example.com');
  });

  it('refuses a host name when any of its addresses is refused', async () => {
    const guard = new DestinationGuard([], () =>
      Promise.resolve([
        { address: '93.184.215.14', family: 4 },
        { address: '10.0.0.5', family: 4 },
      ]),
    );
    await expect(guard.vet(new URL('http://rebind.example.com/'))).rejects.toThrow(DestinationRefusedError);
  });

  it('refuses a host name resolving to loopback (localhost), even as a mapped address', async () => {
    const localhost = new DestinationGuard([], () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]));
    await expect(localhost.vet(new URL('http://localhost/'))).rejects.toThrow(DestinationRefusedError);
    const mapped = new DestinationGuard([], () => Promise.resolve([{ address: '::ffff:7f00:1', family: 6 }]));
    await expect(mapped.vet(new URL('http://mapped.example.com/'))).rejects.toThrow(DestinationRefusedError);
  });

  it('maps a resolved IPv4-mapped address to IPv4', async () => {
    const guard = new DestinationGuard(parseCidrs('127.0.0.1'), () =>
      Promise.resolve([{ address: '::ffff:127.0.0.1', family: 6 }]),
    );
    await expect(guard.vet(new URL('http://mapped.example.com/'))).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    });
  });

  it('passes a failed lookup on as it is, not as a refusal', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' });
    const guard = new DestinationGuard([], () => Promise.reject(notFound));
    await expect(guard.vet(new URL('http://nowhere.invalid/'))).rejects.toBe(notFound);
    const empty = new DestinationGuard([], () => Promise.resolve([]));
    await expect(empty.vet(new URL('http://empty.example.com/'))).rejects.toThrow('found no address');
  });

  it('has the message the attempt log shows', () => {
    expect(new DestinationRefusedError().message).toBe('destination not allowed');
  });
});
