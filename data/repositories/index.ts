import type { Knex } from 'knex';
import { type AuditRepository, createAuditRepository } from './auditRepository';
import { type CallbackRepository, createCallbackRepository } from './callbackRepository';
import { type ChurnIntentRepository, createChurnIntentRepository } from './churnIntentRepository';
import { type ChurnModelRepository, createChurnModelRepository } from './churnModelRepository';
import { createFollowUpRepository, type FollowUpRepository } from './followUpRepository';
import { createRiskRepository, type RiskRepository } from './riskRepository';
import { createSessionRepository, type SessionPolicy, type SessionRepository } from './sessionRepository';
import { type ComplaintRepository, createComplaintRepository } from './complaintRepository';
import { createEscalationRepository, type EscalationRepository } from './escalationRepository';
import { createHandoffRepository, type HandoffRepository } from './handoffRepository';
import { createOfferRepository, type OfferRepository } from './offerRepository';
import { createOutboxRepository, type OutboxRepository } from './outboxRepository';
import { createRecoveryRepository, type RecoveryRepository } from './recoveryRepository';
import { createReplayGuardRepository, type ReplayGuardRepository } from './replayGuardRepository';
import { createServiceEventRepository, type ServiceEventRepository } from './serviceEventRepository';
import { createSnapshotRepository, type SnapshotRepository } from './snapshotRepository';
import { createSurveyRepository, type SurveyRepository } from './surveyRepository';
import { createPresenceRepository, type PresenceRepository } from './presenceRepository';
import { type ConversationRepository, createConversationRepository } from './conversationRepository';
import { createCustomerRepository, type CustomerRepository } from './customerRepository';
import { createDevSmsOutboxRepository, type DevSmsOutboxRepository } from './devSmsOutboxRepository';
import { createIdentityRepository, type IdentityRepository } from './identityRepository';
import { createStaffRepository, type StaffRepository } from './staffRepository';
import { createTranscriptRepository, type TranscriptRepository } from './transcriptRepository';
import { createTurnLockRepository, type TurnLockRepository } from './turnLockRepository';
import { createVerificationRepository, type VerificationRepository } from './verificationRepository';

/** Every repository of the service, made once over one Knex instance (some keep caches that must be shared). */
export interface Repositories {
  audit: AuditRepository;
  callbacks: CallbackRepository;
  churnIntents: ChurnIntentRepository;
  churnModels: ChurnModelRepository;
  followUps: FollowUpRepository;
  risk: RiskRepository;
  sessions: SessionRepository;
  complaints: ComplaintRepository;
  escalations: EscalationRepository;
  handoffs: HandoffRepository;
  offers: OfferRepository;
  outbox: OutboxRepository;
  recovery: RecoveryRepository;
  replayGuards: ReplayGuardRepository;
  serviceEvents: ServiceEventRepository;
  snapshots: SnapshotRepository;
  surveys: SurveyRepository;
  presence: PresenceRepository;
  conversations: ConversationRepository;
  customers: CustomerRepository;
  devSmsOutbox: DevSmsOutboxRepository;
  identities: IdentityRepository;
  staff: StaffRepository;
  transcripts: TranscriptRepository;
  /** Leases that keep a conversation's turns one at a time across instances (PostgreSQL only). */
  turnLocks: TurnLockRepository;
  verification: VerificationRepository;
}

/** Console sessions: 30 minutes idle, 12 hours at most; 5 failed sign-ins lock a user name for 15 minutes. */
export const DEFAULT_SESSION_POLICY: SessionPolicy = Object.freeze({ idleMs: 30 * 60_000, maxMs: 12 * 3_600_000, maxFailures: 5, lockMs: 15 * 60_000 });

/** Creates the repositories; `now` is the clock they stamp times with. */
export function createRepositories(knex: Knex, options: { now: () => number; otpSecret: string; timeZone?: string; sessions?: SessionPolicy }): Repositories {
  const { now } = options;
  return {
    audit: createAuditRepository(knex, now),
    callbacks: createCallbackRepository(knex, now),
    churnIntents: createChurnIntentRepository(knex),
    churnModels: createChurnModelRepository(knex),
    followUps: createFollowUpRepository(knex, now),
    risk: createRiskRepository(knex),
    sessions: createSessionRepository(knex, options.sessions ?? DEFAULT_SESSION_POLICY),
    complaints: createComplaintRepository(knex, now, options.timeZone),
    escalations: createEscalationRepository(knex, now),
    handoffs: createHandoffRepository(knex),
    offers: createOfferRepository(knex),
    outbox: createOutboxRepository(knex),
    recovery: createRecoveryRepository(knex),
    replayGuards: createReplayGuardRepository(knex),
    serviceEvents: createServiceEventRepository(knex),
    snapshots: createSnapshotRepository(knex),
    surveys: createSurveyRepository(knex),
    presence: createPresenceRepository(knex),
    conversations: createConversationRepository(knex, now),
    customers: createCustomerRepository(knex),
    devSmsOutbox: createDevSmsOutboxRepository(knex, now),
    identities: createIdentityRepository(knex, now),
    staff: createStaffRepository(knex, now),
    transcripts: createTranscriptRepository(knex),
    turnLocks: createTurnLockRepository(knex),
    verification: createVerificationRepository(knex, { secret: options.otpSecret, now }),
  };
}
