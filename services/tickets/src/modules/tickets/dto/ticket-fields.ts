import { NotBlank } from '@careflow/http';
import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsString, Matches, MaxLength } from 'class-validator';

/** A tag: a word of letters and digits (any script) with _ : . - inside, no spaces. */
export const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_:.-]{0,63}$/u;

/*
 * The rules of the ticket fields several requests share (create, change, list), written once.
 * Whether a field may be left out or null stays with each request (OptionalField, NullableField).
 */

/** A ticket's tags: up to 20. */
export function IsTicketTags(): PropertyDecorator {
  return applyDecorators(
    IsArray(),
    ArrayMaxSize(20),
    Matches(TAG_PATTERN, { each: true, message: 'each tag must be 1-64 letters, digits or _ : . - (no spaces)' }),
  );
}

/** The key of a group, as a client names it (an unknown one is a 422 from the service). */
export function IsGroupKey(): PropertyDecorator {
  return applyDecorators(IsString(), MaxLength(64));
}

/** The id of an agent, as a client names it (an unknown or inactive one is a 422 from the service). */
export function IsAgentId(): PropertyDecorator {
  // No agent has an empty id (it is a path segment of PUT /v1/agents/{id}).
  return applyDecorators(IsString(), NotBlank(), MaxLength(128));
}
