import { WebhookEventType } from '@careflow/contracts';
import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsString, ValidateBy, type ValidationArguments } from 'class-validator';

/** Every event, now and those added later. */
export const ALL_EVENTS = '*';

const KNOWN = new Set<string>(WebhookEventType);

function eventsProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return null;
  const unknown = value.filter((v) => typeof v === 'string' && v !== ALL_EVENTS && !KNOWN.has(v));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 3).map((v) => JSON.stringify(String(v).slice(0, 64)));
    return `events has unknown event name(s) ${shown.join(', ')}; use names from GET /v1/webhook-events or "*"`;
  }
  if (value.includes(ALL_EVENTS) && value.length > 1) return 'events must be either ["*"] or a list of event names, not both';
  return null;
}

/** `events`: a non-empty list of unique catalogue names, or `["*"]`. */
export function WebhookEventsField(): PropertyDecorator {
  return applyDecorators(
    IsArray(),
    ArrayNotEmpty({ message: 'events must list at least one event name, or "*"' }),
    ArrayMaxSize(WebhookEventType.length),
    IsString({ each: true }),
    ArrayUnique({ message: 'events must not repeat an event name' }),
    ValidateBy({
      name: 'isWebhookEventList',
      validator: {
        validate: (value: unknown) => eventsProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => eventsProblem(args?.value) ?? 'events is not a list of event names',
      },
    }),
  );
}
