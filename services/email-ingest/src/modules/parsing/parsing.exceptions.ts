/** Why a message cannot become a ticket; stable, machine-friendly, stored as the outcome reason. */
export type RejectionReason =
  | 'not-a-message'
  | 'header-only'
  | 'no-from-address'
  | 'empty-message'
  | 'nesting-too-deep'
  | 'headers-too-large'
  | 'unparseable';

/** The only error `parseMessage` throws: the input is not mail that can become a ticket. */
export class RejectedMessageError extends Error {
  override readonly name = 'RejectedMessageError';
  constructor(
    readonly reason: RejectionReason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}
