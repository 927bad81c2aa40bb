/**
 * The carriers we can link a shopper to, and how a shop's free-text carrier name maps to one.
 *
 * A shipment notice with a wrong tracking link is worse than one without: the shopper lands
 * on a page that says "not found" and writes to support. So a carrier is only linked when its
 * public tracking page takes the number in the URL; everything else gets `null` and the mail
 * shows the number alone.
 *
 * Patterns were checked against carriers' own shop integrations where they exist (see the
 * comment on each entry); carriers change their sites, so a broken link is fixed here, once.
 */

export interface KnownCarrier {
  /** Stable code, stored with shipments; never rename one. */
  readonly code: string;
  /** As shown to shoppers. */
  readonly name: string;
  /** Folded spellings (see `fold`) that mean this carrier. */
  readonly aliases: readonly string[];
  /** The tracking page for one URL-encoded number, or null when there is no reliable deep link. */
  readonly trackingUrl: ((encodedNumber: string) => string) | null;
}

export const KNOWN_CARRIERS = [
  {
    code: 'ups',
    name: 'UPS',
    aliases: ['ups', 'unitedparcelservice', 'upsground', 'upsexpress'],
    // ups.com's own tracking route; the WooCommerce mobile app builds the same link.
    trackingUrl: (n) => `https://www.ups.com/track?loc=en_US&tracknum=${n}`,
  },
  {
    code: 'usps',
    name: 'USPS',
    aliases: ['usps', 'unitedstatespostalservice', 'uspostalservice', 'uspostal'],
    // USPS Tracking results page; used by jkeen/tracking_number_data and the WooCommerce app.
    trackingUrl: (n) => `https://tools.usps.com/go/TrackConfirmAction?tLabels=${n}`,
  },
  {
    code: 'fedex',
    name: 'FedEx',
    aliases: ['fedex', 'federalexpress', 'fedexground', 'fedexexpress'],
    // fedex.com's tracking route (older code uses /apps/fedextrack/?tracknumbers=, the same page).
    trackingUrl: (n) => `https://www.fedex.com/fedextrack/?trknbr=${n}`,
  },
  {
    code: 'dhl_express',
    name: 'DHL Express',
    aliases: ['dhl', 'dhlexpress', 'dhlworldwideexpress', 'dhlinternational'],
    // dhl.com's Express tracking page with the number filled in and the search submitted.
    trackingUrl: (n) => `https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=${n}`,
  },
  {
    code: 'vnpost',
    name: 'Vietnam Post (VNPost)',
    aliases: ['vnpost', 'vietnampost', 'buudien', 'buudienvietnam', 'tongcongtybuudienvietnam'],
    // VNPost's item-locator page ("định vị bưu phẩm"); the most widely used link in Vietnamese
    // shop code, but VNPost has been redesigning its site, so this is the entry to re-check first.
    trackingUrl: (n) => `https://www.vnpost.vn/vi-vn/dinh-vi/buu-pham?key=${n}`,
  },
  {
    code: 'viettel_post',
    name: 'Viettel Post',
    aliases: ['viettelpost', 'viettel', 'vtp', 'buuchinhviettel'],
    // No deep link: public code uses half a dozen different query parameters for
    // viettelpost.com.vn/tra-cuu-hanh-trinh-don/ and none is documented by Viettel Post; the page
    // itself takes the number only through its search form.
    trackingUrl: null,
  },
  {
    code: 'ghn',
    name: 'Giao Hàng Nhanh (GHN)',
    aliases: ['ghn', 'giaohangnhanh', 'ghnexpress'],
    // GHN's public order-tracking site (GHN's own tracking front end lives on this origin).
    trackingUrl: (n) => `https://donhang.ghn.vn/?order_code=${n}`,
  },
  {
    code: 'ghtk',
    name: 'Giao Hàng Tiết Kiệm (GHTK)',
    aliases: ['ghtk', 'giaohangtietkiem', 'ghtkexpress'],
    // GHTK's short tracking link; every Vietnamese shop integration we found uses this form.
    trackingUrl: (n) => `https://i.ghtk.vn/${n}`,
  },
  {
    code: 'jt_express_vn',
    name: 'J&T Express Vietnam',
    // "J&T" alone means the Vietnamese network: this table serves shops shipping in Vietnam.
    aliases: ['jt', 'jnt', 'jandt', 'jtexpress', 'jntexpress', 'jandtexpress', 'jtexpressvn', 'jtexpressvietnam', 'jtvn'],
    // jtexpress.vn's tracking page as its own search form submits it. The page may still ask
    // for the last digits of the recipient's phone before it shows the history.
    trackingUrl: (n) => `https://jtexpress.vn/vi/tracking?type=track&billcode=${n}`,
  },
  {
    code: 'ninja_van_vn',
    name: 'Ninja Van Vietnam',
    aliases: ['ninjavan', 'ninja', 'njv', 'ninjavanvn', 'ninjavanvietnam'],
    // Ninja Van's tracking page, Vietnamese locale (the same route serves /en-sg/, /en-my/, ...).
    trackingUrl: (n) => `https://www.ninjavan.co/vi-vn/tracking?id=${n}`,
  },
  {
    code: 'omniva',
    name: 'Omniva',
    aliases: ['omniva', 'omnivaee', 'omnivaestonia', 'eestipost'],
    // Omniva's tracking site for Estonia; Omniva's own shop modules link minu.omniva.ee/track/.
    trackingUrl: (n) => `https://minu.omniva.ee/track/${n}`,
  },
  {
    code: 'dpd_ee',
    name: 'DPD Estonia',
    // Plain "DPD" is safe to map here: DPD's central tracking below serves every DPD network.
    aliases: ['dpd', 'dpdee', 'dpdestonia', 'dpdeesti', 'dpdbaltics'],
    // DPD group tracking, the link DPD's own PrestaShop module and Estonian shop plugins use.
    trackingUrl: (n) => `https://tracking.dpd.de/parcelstatus?query=${n}`,
  },
  {
    code: 'smartpost',
    name: 'Smartposti (Itella)',
    aliases: ['smartpost', 'smartposti', 'itella', 'itellasmartpost', 'smartpostitella', 'smartpostee'],
    // Itella's Estonian tracking page, as the carrier's own shop plugin links it. The brand is
    // now Smartposti; the itella.ee page still takes the code.
    trackingUrl: (n) => `https://itella.ee/eraklient/saadetise-jalgimine/?trackingCode=${n}`,
  },
  {
    code: 'venipak',
    name: 'Venipak',
    aliases: ['venipak', 'venipakee', 'venipakestonia'],
    // Venipak's Estonian site, the link the Venipak WooCommerce plugin mails to Estonian
    // recipients (venipak.lt and venipak.lv serve the same path).
    trackingUrl: (n) => `https://venipak.ee/tracking/track/${n}/`,
  },
] as const satisfies readonly KnownCarrier[];

export type CarrierCode = (typeof KNOWN_CARRIERS)[number]['code'];

const BY_ALIAS: ReadonlyMap<string, KnownCarrier> = new Map(
  KNOWN_CARRIERS.flatMap((carrier: KnownCarrier) => [carrier.code, ...carrier.aliases].map((alias) => [fold(alias), carrier] as const)),
);

/**
 * A carrier name reduced to what tells carriers apart: lower case, no diacritics ("Giao Hàng
 * Nhanh" = "giao hang nhanh"), no spaces or punctuation ("J&T" = "j t" = "jt"). Letters and
 * digits of every script stay; a name with none ("---", "😀") folds to nothing.
 */
function fold(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/đ/g, 'd')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * The carrier code for a shop's spelling of a carrier name. A name we do not know comes back
 * folded (stable to store and compare); `isKnownCarrier` tells the two apart.
 */
export function normalizeCarrier(carrier: string): string {
  const folded = fold(carrier);
  return BY_ALIAS.get(folded)?.code ?? folded;
}

export function isKnownCarrier(code: string): code is CarrierCode {
  return KNOWN_CARRIERS.some((carrier) => carrier.code === code);
}

/** The display name for a carrier code or spelling, or the shop's own text when unknown. */
export function carrierDisplayName(carrier: string): string {
  return BY_ALIAS.get(fold(carrier))?.name ?? carrier.trim();
}

/**
 * The public tracking page for a parcel, or null when the carrier is unknown, has no reliable
 * deep link, or the number is empty. The number is always percent-encoded, never spliced in.
 */
export function trackingUrlFor(carrier: string, trackingNumber: string): string | null {
  const build = BY_ALIAS.get(fold(carrier))?.trackingUrl;
  const number = trackingNumber.trim();
  if (!build || number === '') return null;
  const encoded = encodeStrict(number);
  return encoded === null ? null : build(encoded);
}

/**
 * encodeURIComponent, plus the five characters it leaves alone (! ' ( ) *), so an odd
 * "number" cannot end an attribute or a URL in a mail client's auto-linker. Null for text that
 * cannot be encoded (a lone surrogate), which no carrier issues.
 */
function encodeStrict(value: string): string | null {
  try {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  } catch {
    return null;
  }
}
