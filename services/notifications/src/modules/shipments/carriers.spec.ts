import { describe, expect, it } from 'vitest';
import { carrierDisplayName, isKnownCarrier, KNOWN_CARRIERS, normalizeCarrier, trackingUrlFor } from './carriers.js';

describe('trackingUrlFor', () => {
  it.each([
    ['UPS', '1Z999AA10123456784', 'https://www.ups.com/track?loc=en_US&tracknum=1Z999AA10123456784'],
    ['USPS', '9400111202555842761538', 'https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111202555842761538'],
    ['FedEx', '790535312317', 'https://www.fedex.com/fedextrack/?trknbr=790535312317'],
    ['DHL', '3318810025', 'https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=3318810025'],
    ['VNPost', 'EI533877620VN', 'https://www.vnpost.vn/vi-vn/dinh-vi/buu-pham?key=EI533877620VN'],
    ['GHN', 'GYCYQNYM', 'https://donhang.ghn.vn/?order_code=GYCYQNYM'],
    ['GHTK', 'S1234567.MB12.A3.123456789', 'https://i.ghtk.vn/S1234567.MB12.A3.123456789'],
    ['J&T Express', '841327113159', 'https://jtexpress.vn/vi/tracking?type=track&billcode=841327113159'],
    ['Ninja Van', 'NVVNSHOP000123', 'https://www.ninjavan.co/vi-vn/tracking?id=NVVNSHOP000123'],
    ['Omniva', 'CC548936341EE', 'https://minu.omniva.ee/track/CC548936341EE'],
    ['DPD', '05212345678901', 'https://tracking.dpd.de/parcelstatus?query=05212345678901'],
    ['Smartpost', 'JJFI63864910006502084', 'https://itella.ee/eraklient/saadetise-jalgimine/?trackingCode=JJFI63864910006502084'],
    ['Venipak', 'V09189E0001441', 'https://venipak.ee/tracking/track/V09189E0001441/'],
  ])('links %s', (carrier, number, url) => {
    expect(trackingUrlFor(carrier, number)).toBe(url);
  });

  it('links every known carrier that has a deep link, and only under its own host', () => {
    for (const carrier of KNOWN_CARRIERS) {
      const url = trackingUrlFor(carrier.code, 'ABC-123');
      if (carrier.trackingUrl === null) {
        expect(url, carrier.code).toBeNull();
        continue;
      }
      expect(url, carrier.code).not.toBeNull();
      const parsed = new URL(url!);
      expect(parsed.protocol, carrier.code).toBe('https:');
      expect(url, carrier.code).toContain('ABC-123');
    }
  });

  it('gives no link for Viettel Post, which has no documented deep link', () => {
    expect(trackingUrlFor('Viettel Post', '1234567890')).toBeNull();
    expect(trackingUrlFor('viettelpost', '1234567890')).toBeNull();
  });

  it('gives no link for an unknown carrier, rather than a wrong one', () => {
    expect(trackingUrlFor('Royal Mail', 'AB123456789GB')).toBeNull();
    expect(trackingUrlFor('DHL eCommerce', 'GM2951173225174494')).toBeNull();
    expect(trackingUrlFor('', '123')).toBeNull();
  });

  it('gives no link for an empty tracking number', () => {
    expect(trackingUrlFor('UPS', '')).toBeNull();
    expect(trackingUrlFor('UPS', '   ')).toBeNull();
  });

  it('trims the number but encodes everything else', () => {
    expect(trackingUrlFor('GHN', '  GYCYQNYM \n')).toBe('https://donhang.ghn.vn/?order_code=GYCYQNYM');
  });

  it('percent-encodes characters that could break out of the query or the path', () => {
    const odd = `A B&c=1#x/../"<script>'()!*?%`;
    const url = trackingUrlFor('GHN', odd)!;
    expect(url).toBe(
      'https://donhang.ghn.vn/?order_code=A%20B%26c%3D1%23x%2F..%2F%22%3Cscript%3E%27%28%29%21%2A%3F%25',
    );
    const parsed = new URL(url);
    expect([...parsed.searchParams.keys()]).toEqual(['order_code']);
    expect(parsed.searchParams.get('order_code')).toBe(odd);
    expect(parsed.hash).toBe('');
  });

  it('keeps a path-style link on its path', () => {
    const url = trackingUrlFor('Omniva', '../../evil?x=1')!;
    expect(url).toBe('https://minu.omniva.ee/track/..%2F..%2Fevil%3Fx%3D1');
    expect(new URL(url).pathname).toBe('/track/..%2F..%2Fevil%3Fx%3D1');
  });

  it('encodes non-ASCII and refuses text that cannot be encoded', () => {
    expect(trackingUrlFor('GHTK', 'Mã-đơn')).toBe('https://i.ghtk.vn/M%C3%A3-%C4%91%C6%A1n');
    expect(trackingUrlFor('GHTK', 'AB\uD800CD')).toBeNull();
  });
});

describe('normalizeCarrier', () => {
  it.each([
    ['UPS', 'ups'],
    ['United Parcel Service', 'ups'],
    ['usps', 'usps'],
    ['Fed-Ex', 'fedex'],
    ['DHL Express', 'dhl_express'],
    ['dhl', 'dhl_express'],
    ['VNPost', 'vnpost'],
    ['vietnam post', 'vnpost'],
    ['VN Post', 'vnpost'],
    ['Bưu điện Việt Nam', 'vnpost'],
    ['viettelpost', 'viettel_post'],
    ['Viettel Post', 'viettel_post'],
    ['giao hang nhanh', 'ghn'],
    ['Giao Hàng Nhanh', 'ghn'],
    ['GHN', 'ghn'],
    ['Giao Hàng Tiết Kiệm', 'ghtk'],
    ['GHTK', 'ghtk'],
    ['j&t', 'jt_express_vn'],
    ['J&T Express', 'jt_express_vn'],
    ['jt express', 'jt_express_vn'],
    ['JNT', 'jt_express_vn'],
    ['Ninja Van', 'ninja_van_vn'],
    ['ninjavan', 'ninja_van_vn'],
    ['Omniva', 'omniva'],
    ['Eesti Post', 'omniva'],
    ['DPD', 'dpd_ee'],
    ['dpd estonia', 'dpd_ee'],
    ['itella', 'smartpost'],
    ['smartpost', 'smartpost'],
    ['Smartposti', 'smartpost'],
    ['Itella SmartPOST', 'smartpost'],
    ['VENIPAK', 'venipak'],
  ])('%s → %s', (spelling, code) => {
    expect(normalizeCarrier(spelling)).toBe(code);
  });

  it('accepts its own codes', () => {
    for (const carrier of KNOWN_CARRIERS) expect(normalizeCarrier(carrier.code)).toBe(carrier.code);
  });

  it('returns an unknown name folded, and isKnownCarrier tells it apart', () => {
    expect(normalizeCarrier('  Royal Mail ')).toBe('royalmail');
    expect(isKnownCarrier(normalizeCarrier('Royal Mail'))).toBe(false);
    expect(isKnownCarrier(normalizeCarrier('GHN'))).toBe(true);
  });
});

describe('KNOWN_CARRIERS', () => {
  it('has unique codes, and no alias that means two carriers', () => {
    const codes = KNOWN_CARRIERS.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    const aliases = KNOWN_CARRIERS.flatMap((c) => c.aliases);
    expect(new Set(aliases).size).toBe(aliases.length);
  });

  it('names carriers for shoppers, in their own spelling', () => {
    expect(carrierDisplayName('giao hang nhanh')).toBe('Giao Hàng Nhanh (GHN)');
    expect(carrierDisplayName('itella')).toBe('Smartposti (Itella)');
    expect(carrierDisplayName(' Royal Mail ')).toBe('Royal Mail');
  });
});
