/**
 * Which events an acknowledgement makes sense for: the ones that open an alert someone must act on.
 * A recovery closes an alert and a held mass deletion is a question for `deletions confirm`, so
 * acknowledging either would tell nobody anything. Types other branches add (PEERING_STUCK,
 * TARGET_STALE, TARGET_DENIED) are listed by name so they become acknowledgeable the day they exist.
 * Pure.
 */
const ACKABLE = new Set<string>([
  'PEERING_FAILED',
  'CONNECTION_DELETED',
  'PEERING_STUCK',
  'TARGET_STALE',
  'TARGET_DENIED',
]);

export const isAckable = (type: string): boolean => ACKABLE.has(type);

/** The acknowledgement as stored on the event item and its ack outbox item. */
export interface Ack {
  acknowledgedBy: string;
  acknowledgedAt: string;
  ackNote: string | null;
}

/** Who may be named and what a note may say: short single lines, so a pasted blob cannot flood a chat. */
export const ACK_BY_MAX = 128;
export const ACK_NOTE_MAX = 1024;
