import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@careflow/testing';

/**
 * One corpus message and what the whole pipeline decides for it (corpus.json beside this
 * file): read field by field by the parser's spec, and end to end by the corpus e2e spec.
 */
export interface CorpusEntry {
  file: string;
  description: string;
  outcome: 'ticket_created' | 'appended' | 'duplicate' | 'ignored_auto_reply' | 'bounce' | 'rejected';
  subject?: string;
  from?: string;
  fromName?: string;
  textContains?: string[];
  strippedTextNotContains?: string[];
  htmlContains?: string[];
  htmlNotContains?: string[];
  attachments?: string[];
  appendsTo?: string;
  duplicateOf?: string;
  reason?: string;
  autoReplyReason?: string;
  mailingList?: boolean;
  messageId?: null;
  date?: null;
  deliveredTo?: string[];
  originalTo?: string[];
  bounce?: { originalMessageId: string; recipients: { address: string; status: string; action: string; permanent: boolean }[] };
}

export const CORPUS_DIR = path.join(REPO_ROOT, 'services/email-ingest/test/corpus');

/** The corpus, in the order its messages are sent (later ones thread to earlier ones). */
export function loadCorpus(): CorpusEntry[] {
  return JSON.parse(readFileSync(path.join(CORPUS_DIR, 'corpus.json'), 'utf8')) as CorpusEntry[];
}

/** A corpus message's raw bytes. */
export function corpusMessage(file: string): Buffer {
  return readFileSync(path.join(CORPUS_DIR, file));
}
