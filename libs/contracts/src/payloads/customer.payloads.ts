import { Type } from 'class-transformer';
import {
  IsArray,
  IsDate,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Channel, Segment } from '../enums.js';

/**
 * A segment's key: the four built-in segments (`Segment`) and the shop's custom ones share
 * this form. Wire format: a stored key is never renamed.
 */
export const SEGMENT_KEY_PATTERN = /^[a-z][a-z0-9_]{1,39}$/;

/**
 * What a segment asks of those who serve its members: tickets raise a derived priority by
 * `priorityBump` steps and take the SLA targets of `slaPolicy`; `preferredChannel` is how the
 * customer likes to be reached. Carried in `customer.segment_changed`, so no service has to
 * ask segmentation.
 */
export class CarePolicy {
  @IsInt()
  @Min(0)
  @Max(3)
  priorityBump!: number;

  /** Which segment's SLA targets apply (tickets keeps SLA policies per built-in segment). */
  @IsIn(Segment)
  slaPolicy!: Segment;

  @IsIn(Channel)
  preferredChannel!: Channel;
}

/** segmentation → tickets (and webhooks): a customer's segments changed. */
export class CustomerSegmentChangedPayload {
  @IsString()
  externalId!: string;

  @IsOptional()
  @IsIn(Segment)
  previousSegment!: Segment | null;

  /** The primary segment: always one of the built-in four (null only in events of old releases). */
  @IsOptional()
  @IsIn(Segment)
  segment!: Segment | null;

  /** Every segment the customer was a member of before, custom ones included. */
  @IsOptional()
  @IsArray()
  @Matches(SEGMENT_KEY_PATTERN, { each: true })
  previousSegments?: string[];

  /** Every segment the customer is a member of now (the primary one among them), custom ones included. */
  @IsArray()
  @Matches(SEGMENT_KEY_PATTERN, { each: true })
  segments!: string[];

  /** The care policy of the primary segment; absent in events of releases before policies. */
  @IsOptional()
  @ValidateNested()
  @Type(() => CarePolicy)
  policy?: CarePolicy;

  /** Increases with every change of the customer's segments. */
  @IsInt()
  @Min(1)
  version!: number;
}

/** Where another service met a customer the shop may not have told segmentation about. */
export const CustomerObservationSource = ['ticket', 'inbound_email'] as const;
export type CustomerObservationSource = (typeof CustomerObservationSource)[number];

/**
 * tickets (and later email-ingest) → segmentation: a customer was seen on a ticket or in a
 * mail. Segmentation creates the customer when unknown and fills contact fields it lacks; it
 * never overwrites what the shop PUT.
 */
export class CustomerObservedPayload {
  /** The shop's id when the caller gave one; without it, the customer is found by e-mail. */
  @IsOptional()
  @IsString()
  externalId!: string | null;

  @IsOptional()
  @IsEmail()
  email!: string | null;

  @IsOptional()
  @IsString()
  name!: string | null;

  @IsIn(CustomerObservationSource)
  source!: CustomerObservationSource;

  @Type(() => Date)
  @IsDate()
  observedAt!: Date;
}

/**
 * segmentation → tickets, notifications: the customer was erased (right to erasure). Each
 * service removes or anonymises the personal data it holds about them and keeps a tombstone,
 * so events older than `version` cannot bring the data back. Addresses travel only as
 * SHA-256 hashes (hex, of the trimmed, lower-cased address), so the event itself carries no
 * personal data; services match rows that only know an address (a ticket opened without the
 * shop's id) by hashing theirs.
 */
export class CustomerErasedPayload {
  @IsString()
  externalId!: string;

  @IsArray()
  @Matches(/^[0-9a-f]{64}$/, { each: true })
  emailHashes!: string[];

  /** Greater than the version of every earlier `customer.upserted` of the customer. */
  @IsInt()
  @Min(1)
  version!: number;

  /** Greater than the version of every earlier `customer.segment_changed` of the customer. */
  @IsInt()
  @Min(1)
  segmentVersion!: number;

  @Type(() => Date)
  @IsDate()
  erasedAt!: Date;
}

/**
 * The SQL expression of `CustomerErasedPayload.emailHashes` for an address column, so every
 * service hashes addresses exactly as segmentation does.
 */
export function emailHashSql(column: string): string {
  return `encode(sha256(convert_to(lower(btrim(${column})), 'UTF8')), 'hex')`;
}

/** segmentation → its recompute worker: re-evaluate every customer against the current rules. */
export class SegmentsRecomputePayload {
  @IsUUID()
  recomputeId!: string;
}
