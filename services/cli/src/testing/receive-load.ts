import type { CommandReply } from '@verity/core';
import { sleep } from '@verity/events';
import { postCommand, type TestPlatform } from './test-platform';

export type Outcome = Omit<CommandReply, 'fingerprint'>;
export type AcceptedOutcome = Omit<Extract<CommandReply, { status: 'accepted' }>, 'fingerprint'>;

/** One inventory.ReceiveStock a client sent, with the outcome it finally learnt. */
export interface SentCommand {
  commandId: string;
  sku: string;
  location: string;
  quantity: number;
  /** HTTP status of the last POST attempt (after retries of network errors and 5xx). */
  status?: number;
  attempts: number;
  /** Why the last attempt failed, when no HTTP answer came at all. */
  error?: string;
  outcome?: Outcome;
}

export interface ReceiveLoadOptions {
  tenant: string;
  /** Clients, each sending one command at a time until halted. */
  clients: number;
  skus: readonly string[];
  locations: readonly string[];
  /** Starts every command id (`<prefix>-<client>-<n>`), which is also its idempotency key. */
  idPrefix: string;
}

/**
 * Clients sending inventory.ReceiveStock through the gateway without pause, the way a crash
 * test loads the write path: a network error or a 5xx is sent again under the same key, since
 * it says nothing of the outcome. Every command is kept with what its client learnt.
 */
export interface ReceiveLoad {
  readonly sent: readonly SentCommand[];
  /** Commands answered 200 so far; only those whose events went to `partition` when given. */
  answered(partition?: number): number;
  /** Stops sending new commands; those under way still finish. */
  halt(): void;
  /**
   * Halts, waits for the commands under way, then looks up by id, for up to `timeoutMs`, the
   * outcome of each one still without one (answered 202); a command with none by then is left
   * so, for the checks to name. Resolves with how many had no outcome when the load stopped.
   */
  finish(timeoutMs?: number): Promise<{ pendingAfterLoad: number }>;
}

const RECEIVE = 'inventory.ReceiveStock';
const ATTEMPTS = 5;

export function startReceiveLoad(platform: TestPlatform, options: ReceiveLoadOptions): ReceiveLoad {
  const { tenant, skus, locations, idPrefix } = options;
  const sent: SentCommand[] = [];
  const answeredOn = new Map<number, number>();
  let answered = 0;
  let loading = true;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
  // Signed once: a client reuses its token for every request.
  const credential = platform.credential({ tenant, roles: ['writer:inventory'] });

  async function post(command: SentCommand): Promise<void> {
    const body = { sku: command.sku, location: command.location, quantity: command.quantity };
    for (command.attempts = 1; ; command.attempts++) {
      try {
        const res = await postCommand(platform, RECEIVE, body, {
          ...(await credential),
          'X-Tenant-Id': tenant,
          'Idempotency-Key': command.commandId,
        });
        command.status = res.status;
        if (res.status === 200) {
          const outcome = { status: 'accepted', ...res.body } as AcceptedOutcome;
          command.outcome = outcome;
          answered += 1;
          for (const { partition } of outcome.events) answeredOn.set(partition, (answeredOn.get(partition) ?? 0) + 1);
        }
        if (res.status < 500 || command.attempts >= ATTEMPTS) return;
      } catch (error) {
        command.error = (error as Error).message;
        if (command.attempts >= ATTEMPTS) return;
      }
      await sleep(200 * command.attempts);
    }
  }

  async function client(n: number): Promise<void> {
    for (let i = 0; loading; i++) {
      const command: SentCommand = {
        commandId: `${idPrefix}-${n}-${i}`,
        sku: pick(skus),
        location: pick(locations),
        quantity: 1 + Math.floor(Math.random() * 9),
        attempts: 0,
      };
      sent.push(command);
      await post(command);
    }
  }

  /** The outcome of a command answered 202, if it is written yet. */
  async function lookUp(command: SentCommand): Promise<void> {
    const res = await fetch(`${platform.urls.gateway}/v1/commands/${command.commandId}`, {
      headers: { ...(await credential), 'X-Tenant-Id': tenant },
    });
    // 404: the outcome is not written yet (this gateway no longer waits for it).
    const body = res.status === 200 ? ((await res.json()) as Outcome | { status: 'pending' }) : undefined;
    if (body && body.status !== 'pending') command.outcome = body;
  }

  const clients = Array.from({ length: options.clients }, (_, n) => client(n));
  return {
    sent,
    answered: (partition) => (partition === undefined ? answered : (answeredOn.get(partition) ?? 0)),
    halt() {
      loading = false;
    },
    async finish(timeoutMs = 60_000) {
      loading = false;
      await Promise.all(clients);
      const pendingAfterLoad = sent.filter((c) => !c.outcome).length;
      for (
        const deadline = Date.now() + timeoutMs;
        sent.some((c) => !c.outcome) && Date.now() < deadline;
        await sleep(250)
      )
        await Promise.all(sent.filter((c) => !c.outcome).map(lookUp));
      return { pendingAfterLoad };
    },
  };
}
