import type { Knex } from 'knex';
import { maskDeep } from '../../retention/pii';
import { parseJson } from '../rows';
import { systemClock } from '../../retention/clock';

/** One audited action: who did what to what. */
export interface AuditEntry {
  actorType: 'staff' | 'system' | 'customer';
  actorId?: string | number | null;
  action: string;
  targetType?: string | null;
  targetId?: string | number | null;
  detail?: Record<string, unknown> | null;
}

/** A stored audit entry. */
export interface AuditRecord extends AuditEntry {
  id: number;
  createdAt: number;
}

/** The audit log: append-only. */
export interface AuditRepository {
  record(entry: AuditEntry, db?: Knex | Knex.Transaction): Promise<void>;
  list(filter?: { targetType?: string; targetId?: string | number; limit?: number }): Promise<AuditRecord[]>;
}

/** Creates the audit repository; details are masked before they are stored. */
export function createAuditRepository(knex: Knex, now: () => number = systemClock): AuditRepository {
  return {
    async record(entry, db = knex) {
      await db('audit_log').insert({
        actor_type: entry.actorType,
        actor_id: entry.actorId == null ? null : String(entry.actorId),
        action: entry.action,
        target_type: entry.targetType ?? null,
        target_id: entry.targetId == null ? null : String(entry.targetId),
        detail: entry.detail ? JSON.stringify(maskDeep(entry.detail)) : null,
        created_at: now(),
      });
    },
    async list(filter = {}) {
      const q = knex('audit_log')
        .orderBy('id', 'desc')
        .limit(Math.min(filter.limit ?? 100, 1000));
      if (filter.targetType) q.where('target_type', filter.targetType);
      if (filter.targetId != null) q.where('target_id', String(filter.targetId));
      const rows = await q;
      return rows.map((r) => ({
        id: Number(r.id),
        actorType: r.actor_type,
        actorId: r.actor_id,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        detail: parseJson(r.detail, null),
        createdAt: Number(r.created_at),
      }));
    },
  };
}
