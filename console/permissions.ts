import type { StaffRole } from '../retention/types';

/** Everything a staff member may do in the console; each page, API call and live channel checks one. */
export const ACTIONS = [
  /** See the waiting queue and one's own chats. */
  'queue.view',
  /** Take a waiting customer. */
  'handoff.accept',
  /** Work one's own chat: message, note, call back, transfer, resolve, update its complaint. */
  'chat.work',
  /** See every queue and every active chat, and the deadlines breached. */
  'supervise.view',
  /** Give a waiting customer to an agent; add notes to any chat. */
  'supervise.assign',
  /** Close a service-recovery case. */
  'recovery.close',
  /** Update any complaint (acknowledge, resolve). */
  'complaint.update',
  /** The manager's review: dashboards, transcripts, QA. */
  'review.view',
  /** Export lists to CSV. */
  'review.export',
  /** Reveal a masked value, giving a reason. */
  'review.reveal',
  /** Score a conversation for quality. */
  'review.qa',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * The role matrix (DOMAIN.md, Agents and managers): agents take and work chats; supervisors also see and assign all
 * of the team's work and close recovery cases; managers review (surveys, complaints, transcripts, QA, export) without
 * taking chats; admins may do everything.
 */
export const PERMISSIONS: Readonly<Record<StaffRole, readonly Action[]>> = Object.freeze({
  agent: ['queue.view', 'handoff.accept', 'chat.work'],
  supervisor: ['queue.view', 'handoff.accept', 'chat.work', 'supervise.view', 'supervise.assign', 'recovery.close', 'complaint.update'],
  manager: ['review.view', 'review.export', 'review.reveal', 'review.qa', 'recovery.close', 'complaint.update'],
  admin: [...ACTIONS],
});

/** Whether a role may do an action. */
export function can(role: StaffRole, action: Action): boolean {
  return PERMISSIONS[role]?.includes(action) ?? false;
}
