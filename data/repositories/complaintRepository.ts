import type { Knex } from 'knex';
import { insertOnce } from './idempotent';
import { type ComplaintCategory, type ComplaintStatus, formatComplaintReference, referenceDate, type Severity } from '../../retention/complaints';
import type { Locale } from '../../retention/locale';
import { toBool, toNumOrNull } from '../rows';
import { systemClock } from '../../retention/clock';

/** A complaint as stored. */
export interface ComplaintRecord {
  id: number;
  reference: string;
  customerId: number | null;
  conversationId: number | null;
  channel: string;
  channelUserId: string | null;
  category: ComplaintCategory;
  severity: Severity;
  status: ComplaintStatus;
  description: string;
  contact: string | null;
  locale: Locale | null;
  route: 'agent' | 'back_office' | null;
  escalated: boolean;
  firstContactDueAt: number;
  resolutionDueAt: number;
  firstContactedAt: number | null;
  resolvedAt: number | null;
  resolution: string | null;
  firstContactBreachedAt: number | null;
  resolutionBreachedAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** What a new complaint is filed with; the reference number is given by the repository. */
export interface NewComplaint {
  customerId: number | null;
  conversationId: number | null;
  channel: string;
  channelUserId: string | null;
  category: ComplaintCategory;
  severity: Severity;
  description: string;
  contact: string | null;
  locale: Locale;
  route: 'agent' | 'back_office';
  escalated: boolean;
  firstContactDueAt: number;
  resolutionDueAt: number;
  /** The customer action this complaint comes from: filed once per key (see insertOnce). */
  idempotencyKey?: string;
}

/** Complaints: filing with a reference number unique across instances, status, deadlines and their breaches. */
export interface ComplaintRepository {
  /**
   * Files the complaint, numbering it for the day (in the service's time zone) in the same transaction. With an
   * idempotency key already used, returns the complaint filed then, and takes no number.
   */
  create(complaint: NewComplaint): Promise<ComplaintRecord>;
  findById(id: number): Promise<ComplaintRecord | undefined>;
  findByReference(reference: string): Promise<ComplaintRecord | undefined>;
  /** The customer's complaints, newest first. */
  listForCustomer(customerId: number, limit?: number): Promise<ComplaintRecord[]>;
  /** Complaints a channel user filed (also before they were bound to a customer), newest first. */
  listForChannelUser(channel: string, channelUserId: string, limit?: number): Promise<ComplaintRecord[]>;
  /** When the customer filed complaints since a time (for the repeat-complaint rule). */
  filedSince(customerId: number, since: number): Promise<number[]>;
  /** Open (not resolved or closed) complaints of the customer. */
  listOpenForCustomer(customerId: number): Promise<ComplaintRecord[]>;
  /** A person has contacted the customer: acknowledged, first contact recorded once. */
  acknowledge(id: number, at: number): Promise<ComplaintRecord | undefined>;
  /** Resolved with the resolution text. */
  resolve(id: number, resolution: string, at: number): Promise<ComplaintRecord | undefined>;
  /** Unresolved complaints past a deadline, most overdue first. */
  listBreached(limit?: number): Promise<ComplaintRecord[]>;
  /** Marks complaints whose deadlines passed (once each); returns those newly marked. */
  flagBreaches(now: number): Promise<{ firstContact: ComplaintRecord[]; resolution: ComplaintRecord[] }>;
}

/** Creates the complaint repository; `timeZone` is the one reference numbers count days in. */
export function createComplaintRepository(knex: Knex, now: () => number = systemClock, timeZone = 'Asia/Shanghai'): ComplaintRepository {
  const byId = async (db: Knex | Knex.Transaction, id: number) => {
    const row = await db('complaints').where({ id }).first();
    return row ? toComplaint(row) : undefined;
  };
  const repo: ComplaintRepository = {
    async create(c) {
      const t = now();
      const day = referenceDate(t, timeZone);
      return knex.transaction(async (trx) => {
        if (c.idempotencyKey) {
          const filed = await trx('complaints').where({ idempotency_key: c.idempotencyKey }).first();
          if (filed) return toComplaint(filed);
        }
        // One statement takes the next number of the day: two instances filing at once get two numbers.
        const [seq] = await trx('complaint_sequences')
          .insert({ day, last: 1 })
          .onConflict('day')
          .merge({ last: trx.raw('?? + 1', ['complaint_sequences.last']) })
          .returning('last');
        const sequence = Number(typeof seq === 'object' ? seq.last : seq);
        const { id } = await insertOnce(
          trx,
          'complaints',
          {
            reference: formatComplaintReference(day, sequence),
            customer_id: c.customerId,
            conversation_id: c.conversationId,
            channel: c.channel,
            channel_user_id: c.channelUserId,
            category: c.category,
            severity: c.severity,
            status: 'open',
            description: c.description,
            contact: c.contact,
            locale: c.locale,
            route: c.route,
            escalated: c.escalated,
            first_contact_due_at: c.firstContactDueAt,
            resolution_due_at: c.resolutionDueAt,
            created_at: t,
            updated_at: t,
          },
          c.idempotencyKey,
        );
        return (await byId(trx, id))!;
      });
    },
    findById: (id) => byId(knex, id),
    async findByReference(reference) {
      const row = await knex('complaints').where({ reference }).first();
      return row ? toComplaint(row) : undefined;
    },
    async listForCustomer(customerId, limit = 10) {
      const rows = await knex('complaints').where({ customer_id: customerId }).orderBy('id', 'desc').limit(Math.min(limit, 100));
      return rows.map(toComplaint);
    },
    async listForChannelUser(channel, channelUserId, limit = 10) {
      const rows = await knex('complaints').where({ channel, channel_user_id: channelUserId }).orderBy('id', 'desc').limit(Math.min(limit, 100));
      return rows.map(toComplaint);
    },
    async filedSince(customerId, since) {
      const rows = await knex('complaints').where({ customer_id: customerId }).andWhere('created_at', '>=', since).select('created_at');
      return rows.map((r) => Number(r.created_at));
    },
    async listOpenForCustomer(customerId) {
      const rows = await knex('complaints').where({ customer_id: customerId }).whereIn('status', ['open', 'acknowledged']).orderBy('id');
      return rows.map(toComplaint);
    },
    async acknowledge(id, at) {
      await knex('complaints').where({ id, status: 'open' }).update({ status: 'acknowledged', updated_at: at });
      await knex('complaints').where({ id }).whereNull('first_contacted_at').update({ first_contacted_at: at });
      return byId(knex, id);
    },
    async resolve(id, resolution, at) {
      await knex('complaints')
        .where({ id })
        .whereIn('status', ['open', 'acknowledged'])
        .update({ status: 'resolved', resolution, resolved_at: at, updated_at: at });
      await knex('complaints').where({ id }).whereNull('first_contacted_at').update({ first_contacted_at: at });
      return byId(knex, id);
    },
    async listBreached(limit = 100) {
      const rows = await knex('complaints')
        .whereIn('status', ['open', 'acknowledged'])
        .andWhere((q) => q.whereNotNull('first_contact_breached_at').orWhereNotNull('resolution_breached_at'))
        .orderBy('resolution_due_at')
        .limit(Math.min(limit, 500));
      return rows.map(toComplaint);
    },
    async flagBreaches(t) {
      // One conditional statement each, returning what it changed: however many instances run this at once, a breach is
      // flagged (and reported) by exactly one of them.
      const firstContact = await knex('complaints')
        .whereNull('first_contact_breached_at')
        .whereNull('first_contacted_at')
        .andWhere('status', 'open')
        .andWhere('first_contact_due_at', '<', t)
        .update({ first_contact_breached_at: t })
        .returning('*');
      const resolution = await knex('complaints')
        .whereNull('resolution_breached_at')
        .whereIn('status', ['open', 'acknowledged'])
        .andWhere('resolution_due_at', '<', t)
        .update({ resolution_breached_at: t })
        .returning('*');
      const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
      return { firstContact: firstContact.map(toComplaint).sort(byId), resolution: resolution.map(toComplaint).sort(byId) };
    },
  };
  return repo;
}

/** A row as the database returns it (`toComplaint` maps it to the domain object). */
interface ComplaintRow {
  id: number | string;
  reference: ComplaintRecord['reference'];
  customer_id: number | string | null;
  conversation_id: number | string | null;
  channel: ComplaintRecord['channel'];
  channel_user_id: ComplaintRecord['channelUserId'] | null | undefined;
  category: ComplaintRecord['category'];
  severity: ComplaintRecord['severity'];
  status: ComplaintRecord['status'];
  description: ComplaintRecord['description'];
  contact: ComplaintRecord['contact'] | null | undefined;
  locale: ComplaintRecord['locale'] | null | undefined;
  route: ComplaintRecord['route'] | null | undefined;
  escalated: boolean | number;
  first_contact_due_at: number | string;
  resolution_due_at: number | string;
  first_contacted_at: number | string | null;
  resolved_at: number | string | null;
  resolution: ComplaintRecord['resolution'] | null | undefined;
  first_contact_breached_at: number | string | null;
  resolution_breached_at: number | string | null;
  created_at: number | string;
  updated_at: number | string;
}

/** Maps a `complaints` row to the record. */
export function toComplaint(row: ComplaintRow): ComplaintRecord {
  return {
    id: Number(row.id),
    reference: row.reference,
    customerId: toNumOrNull(row.customer_id),
    conversationId: toNumOrNull(row.conversation_id),
    channel: row.channel,
    channelUserId: row.channel_user_id ?? null,
    category: row.category,
    severity: row.severity,
    status: row.status,
    description: row.description,
    contact: row.contact ?? null,
    locale: row.locale ?? null,
    route: row.route ?? null,
    escalated: toBool(row.escalated),
    firstContactDueAt: Number(row.first_contact_due_at),
    resolutionDueAt: Number(row.resolution_due_at),
    firstContactedAt: toNumOrNull(row.first_contacted_at),
    resolvedAt: toNumOrNull(row.resolved_at),
    resolution: row.resolution ?? null,
    firstContactBreachedAt: toNumOrNull(row.first_contact_breached_at),
    resolutionBreachedAt: toNumOrNull(row.resolution_breached_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
