import { readFile } from 'node:fs/promises';
import { LOCAL_ADMIN_KEY_FILE } from './launcher/local-admin-key';
import { parsePollersArgs, type PollersArgs } from './pollers-args';
import { NoCredentialError, PollerApiError, PollerUnreachableError } from './pollers-errors';
import { textTable } from './text-table';

export { POLLERS_USAGE } from './pollers-args';

export interface PollersIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(text: string): unknown };
}

interface PollerView {
  tenant: string;
  source: string;
  url: string;
  intervalMs: number;
  pageSize: number;
  kinds: string[];
  credential: { type: string } | null;
  updatedAt: string;
}

interface DriftView {
  accuracy: number;
  unmappable: number;
  reports: {
    kind: string;
    total: number;
    matching: number;
    missingInVerity: string[];
    missingInSource: string[];
    differing: { key: string; field: string; source: unknown; verity: unknown }[];
  }[];
}

/** `VERITY_API_KEY` (an API key, `vk_...`, or a JWT), else the key `verity up` keeps for the local tenant's admin. */
export async function credentialHeaders(env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const file = env.VERITY_LOCAL_ADMIN_KEY_FILE ?? LOCAL_ADMIN_KEY_FILE;
  const credential =
    env.VERITY_API_KEY ??
    (await readFile(file, 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    ));
  if (!credential) throw new NoCredentialError(file);
  return credential.startsWith('vk_') ? { 'x-api-key': credential } : { authorization: `Bearer ${credential}` };
}

/** Every 30 s, 5 min, 1 h 30 min: the interval as it was likely written. */
export function intervalText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export function pollersTable(pollers: readonly PollerView[]): string {
  return textTable(
    ['SOURCE', 'EVERY', 'PAGE', 'KINDS', 'CREDENTIAL', 'URL'],
    pollers.map((p) => [
      p.source,
      intervalText(p.intervalMs),
      String(p.pageSize),
      p.kinds.join(','),
      p.credential?.type ?? '-',
      p.url,
    ]),
  );
}

const percent = (ratio: number): string => `${(ratio * 100).toFixed(2)} %`;

/** The drift report for a terminal: the accuracy, then each record missing or differing. */
export function driftText(drift: DriftView): string {
  const lines = [`sync accuracy ${percent(drift.accuracy)}`];
  for (const r of drift.reports) {
    lines.push(
      `${r.kind}: ${r.matching} of ${r.total} match (${percent(r.total === 0 ? 1 : r.matching / r.total)}); ` +
        `${r.missingInVerity.length} missing in Verity, ${r.missingInSource.length} missing in the source, ` +
        `${r.differing.length} values differ`,
    );
    for (const key of r.missingInVerity) lines.push(`  missing in Verity  ${key}`);
    for (const key of r.missingInSource) lines.push(`  missing in source  ${key}`);
    for (const d of r.differing)
      lines.push(
        `  differs            ${d.key} ${d.field}: source ${JSON.stringify(d.source)}, Verity ${JSON.stringify(d.verity)}`,
      );
  }
  if (drift.unmappable > 0) lines.push(`${drift.unmappable} source records could not be read and were not compared`);
  return `${lines.join('\n')}\n`;
}

/** `verity pollers set|list|remove|compare`, through the poller's configuration API. */
export async function runPollers(
  args: readonly string[],
  io: PollersIo = { env: process.env, stdout: process.stdout },
): Promise<number> {
  const parsed: PollersArgs = parsePollersArgs(args);
  const base = (io.env.VERITY_POLLER_URL ?? 'http://localhost:8095').replace(/\/+$/, '');
  const headers = { ...(await credentialHeaders(io.env)), 'x-tenant-id': parsed.tenant };

  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(`${base}/v1/pollers${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new PollerUnreachableError(base, error);
    }
    const text = await res.text();
    const answer: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const problem = (answer ?? {}) as { code?: string; detail?: string };
      throw new PollerApiError(res.status, problem.code ?? 'poller_error', problem.detail ?? res.statusText);
    }
    return answer;
  };

  switch (parsed.action) {
    case 'set': {
      const saved = (await call('PUT', `/${parsed.source}`, parsed.settings)) as PollerView;
      io.stdout.write(
        `poller ${saved.source} of tenant ${saved.tenant}: every ${intervalText(saved.intervalMs)}, ` +
          `${saved.kinds.join(' and ')} from ${saved.url}\n`,
      );
      return 0;
    }
    case 'list': {
      const { pollers } = (await call('GET', '')) as { pollers: PollerView[] };
      io.stdout.write(pollersTable(pollers));
      return 0;
    }
    case 'remove':
      await call('DELETE', `/${parsed.source}`);
      io.stdout.write(`poller ${parsed.source} of tenant ${parsed.tenant} removed\n`);
      return 0;
    case 'compare': {
      const drift = (await call('GET', `/${parsed.source}/drift`)) as DriftView;
      io.stdout.write(parsed.json ? `${JSON.stringify(drift, null, 2)}\n` : driftText(drift));
      return 0;
    }
  }
}
