import { JOB_PAYLOADS, JobEnvelope, type JobName, type JobPayload } from '@careflow/contracts';
import { flattenValidationErrors } from '@careflow/platform';
import { UnrecoverableError } from 'bullmq';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { fastVerdict } from './compiled-validation.js';

/**
 * Validates what a consumer takes off a queue. A payload that does not match its contract
 * will not match on a retry either: it fails at once, unrecoverable, with the reasons.
 */
export async function validateEnvelope<N extends JobName>(
  name: N,
  raw: unknown,
): Promise<JobEnvelope<JobPayload<N>>> {
  // The envelope's own fields are transformed without the payload, which only its class
  // transforms: the payload (the bulk of a job) is walked once, not twice.
  const { data: payload, ...fields } = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const envelope = Object.assign(plainToInstance(JobEnvelope, fields), { data: payload as object });
  const data = plainToInstance(JOB_PAYLOADS[name] as new () => JobPayload<N>, payload ?? {});
  // The common case, a valid job, is told apart cheaply (class-validator's own checks, planned
  // once per class); class-validator itself judges the rest and names what is wrong.
  if (fastVerdict(envelope) === 'valid' && fastVerdict(data as object) === 'valid') {
    return Object.assign(envelope, { data }) as JobEnvelope<JobPayload<N>>;
  }
  const envelopeErrors = await validate(envelope);
  const dataErrors = await validate(data as object);
  const problems = [
    ...flattenValidationErrors(envelopeErrors),
    ...flattenValidationErrors(dataErrors, 'data'),
  ];
  if (problems.length > 0) {
    throw new UnrecoverableError(
      `invalid ${name} payload: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    );
  }
  return Object.assign(envelope, { data }) as JobEnvelope<JobPayload<N>>;
}
