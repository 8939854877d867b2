/**
 * The operation pipeline: the one path every entry point (the Alibaba API, the AWS API, the console)
 * runs a request through, so that who may do what and what the audit trail records are decided once,
 * here, and never in a protocol adapter.
 *
 *   execute(request, run):
 *     the catalog entry of `request.operation` (domain/operations.ts)
 *     → access decided before the use case for operations on the account, a container or RAM identities
 *     → an attempt event for a state-changing operation (no audit, no change)
 *     → the use case, `run(context)`, which checks the secrets and keys it finds through `context.access`
 *     → refusal (`internal`) when nothing settled the request's access
 *     → the outcome event, before the answer leaves the server
 *     → the result, or the error, which the adapter renders in its own shape.
 *
 * When the trail cannot record an event the request is refused with `unavailable` whatever happened
 * (fail closed, docs/audit.md). Failures before a request reaches the pipeline (a bad signature, an
 * unknown operation) are recorded through `recordRefusal`.
 */
import { AUDIT_SUCCESS } from '../../domain/audit.js';
import type { AuditEvent, AuditPhase } from '../../domain/audit.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { OPERATIONS } from '../../domain/operations.js';
import type { RecordOptions } from '../audit-service.js';
import type { Clock } from '../clock.js';
import type { InstanceIdentity, Services } from '../services.js';
import type { PolicySource } from './access.js';
import { OperationAccess } from './access.js';
import type { OperationRequest, Principal, ProtocolName, RequestSubject } from './request.js';

/** Caller-chosen text kept for the trail and the log line: one request cannot write 128 KiB. */
const MAX_RESOURCE = 256;

/** What a use case gets from the pipeline. */
export interface OperationContext {
  readonly services: Services;
  readonly identity: InstanceIdentity;
  readonly principal: Principal;
  readonly requestId: string;
  readonly protocol: ProtocolName;
  /** The caller's access checks; use cases on named secrets and keys call it once they know the resource. */
  readonly access: OperationAccess;
  /** Records what the operation is about (a secret name, key id, a batch of them), never a value. */
  readonly noteResource: (resource: string) => void;
  /**
   * Makes this a dry run: the operation does everything, then its result is withheld and the answer is
   * `dry_run_passed` (or the error it met first). Only operations that change nothing may be dry runs.
   */
  readonly markDryRun: () => void;
}

export interface PipelineOptions {
  readonly services: Services;
  readonly identity: InstanceIdentity;
  /** The RAM policies attached to each user. */
  readonly policies: PolicySource;
  readonly clock: Clock;
}

/** A request refused before it reached the pipeline, as the trail records it. */
export interface Refusal {
  readonly protocol: ProtocolName;
  readonly requestId: string;
  /** The operation the request named, when it named a readable one. */
  readonly operation?: string | undefined;
  readonly principal?: Principal | undefined;
  readonly subject: RequestSubject;
  readonly resource?: string | undefined;
  readonly outcome: { readonly code: string; readonly status: number };
}

/** The answer to a request the audit trail could not record. */
export function auditUnavailable(cause?: unknown): DomainError {
  return new DomainError(
    'unavailable',
    'The audit trail cannot record this request, so it was refused. Retry later.',
    {},
    cause === undefined ? undefined : { cause },
  );
}

/** Whether an error is the pipeline's refusal of a request the trail could not record. */
export function isAuditUnavailable(error: unknown): boolean {
  return isDomainError(error, 'unavailable') && auditFailures.has(error);
}

const auditFailures = new WeakSet<object>();

export class OperationPipeline {
  readonly #options: PipelineOptions;

  constructor(options: PipelineOptions) {
    this.#options = options;
  }

  /**
   * Runs one operation for an authenticated caller. `onResource` hears what the operation said it is
   * about (the adapter's log line); the result is whatever `run` returns.
   */
  async execute<R>(
    request: OperationRequest,
    run: (context: OperationContext) => Promise<R>,
    onResource?: (resource: string) => void,
  ): Promise<R> {
    const { services, identity, policies, clock } = this.#options;
    const operation = OPERATIONS[request.operation];
    let resource: string | undefined;
    const marks = { dryRun: false };
    const access = new OperationAccess({
      services,
      identity,
      policies,
      name: request.operation,
      operation,
      principal: request.principal,
      context: {
        ...(request.connection.sourceIp === undefined ? {} : { sourceIp: request.connection.sourceIp }),
        secureTransport: request.connection.secureTransport,
        currentTime: clock.now(),
      },
    });
    const context: OperationContext = {
      services,
      identity,
      principal: request.principal,
      requestId: request.requestId,
      protocol: request.protocol,
      access,
      noteResource: (noted) => {
        resource = capped(noted);
        onResource?.(resource);
      },
      markDryRun: () => {
        if (operation.changesState) throw new DomainError('internal', `${request.operation} has no dry run.`);
        marks.dryRun = true;
      },
    };
    const event = (phase: AuditPhase, result?: { code: string; status: number }): AuditEvent =>
      auditEvent({
        protocol: request.protocol,
        requestId: request.requestId,
        phase,
        time: clock.now(),
        operation: request.operation,
        principal: request.principal,
        subject: request.subject,
        resource,
        result,
      });

    // A read's events may be committed relaxed when the trail is set to (docs/audit.md).
    const recordOptions = { changesNothing: !operation.changesState };
    let result: R;
    try {
      // Operations on the account, a container or RAM identities are decided before they run; those on
      // named secrets and keys by the use case once it has found the resource.
      if (OperationAccess.checkedBeforeRun(operation)) await access.requireUnscoped(request.identities ?? {});
      if (operation.changesState) await this.#record(event('attempt'));
      result = await run(context);
      // Fail closed on a bug: a use case that never asked is not answered (its tests catch it first).
      if (!access.settled)
        throw new DomainError('internal', `${request.operation} ran without an access check.`);
      if (marks.dryRun) throw new DomainError('dry_run_passed');
    } catch (thrown) {
      if (isAuditUnavailable(thrown)) throw thrown;
      const error = await access.settleMissing(thrown);
      // A refusal is recorded with the refused ARN.
      if (isDomainError(error, 'access_denied') && error.details.resource !== undefined) {
        resource = capped(error.details.resource);
      }
      await this.#record(event('outcome', request.outcomeOf(error)), recordOptions);
      throw error;
    }
    // Recorded before anything is sent: a read the trail cannot record never leaves the server.
    await this.#record(event('outcome', { code: AUDIT_SUCCESS, status: 200 }), recordOptions);
    return result;
  }

  /**
   * Records the outcome of a request refused before it reached `execute` (signature, unknown
   * operation). Always durable, whatever the operation it named: a refused signature is the evidence
   * an investigation of a key's misuse looks for, and no legitimate client makes many of them.
   */
  async recordRefusal(refusal: Refusal): Promise<void> {
    await this.#record(
      auditEvent({
        protocol: refusal.protocol,
        requestId: refusal.requestId,
        phase: 'outcome',
        time: this.#options.clock.now(),
        operation: refusal.operation,
        principal: refusal.principal,
        subject: refusal.subject,
        resource: refusal.resource === undefined ? undefined : capped(refusal.resource),
        result: refusal.outcome,
      }),
    );
  }

  async #record(event: AuditEvent, options?: RecordOptions): Promise<void> {
    try {
      await this.#options.services.audit.record(event, options);
    } catch (error) {
      const refusal = auditUnavailable(error);
      auditFailures.add(refusal);
      throw refusal;
    }
  }
}

function capped(resource: string): string {
  return resource.length > MAX_RESOURCE ? `${resource.slice(0, MAX_RESOURCE)}…` : resource;
}

interface EventFacts {
  readonly protocol: ProtocolName;
  readonly requestId: string;
  readonly phase: AuditPhase;
  readonly time: number;
  readonly operation: string | undefined;
  readonly principal: Principal | undefined;
  readonly subject: RequestSubject;
  readonly resource: string | undefined;
  readonly result: { readonly code: string; readonly status: number } | undefined;
}

function auditEvent(facts: EventFacts): AuditEvent {
  const { subject } = facts;
  return {
    time: facts.time,
    requestId: facts.requestId,
    phase: facts.phase,
    principal: facts.principal?.userName ?? null,
    accessKeyId: facts.principal?.accessKeyId ?? subject.claimedAccessKeyId ?? null,
    sourceIp: subject.sourceIp ?? null,
    action: facts.operation ?? null,
    resource: facts.resource ?? null,
    secretName: subject.secretName ?? null,
    versionId: subject.versionId ?? null,
    versionStage: subject.versionStage ?? null,
    keyId: subject.keyId ?? null,
    resultCode: facts.result?.code ?? null,
    httpStatus: facts.result?.status ?? null,
    protocol: facts.protocol,
  };
}
