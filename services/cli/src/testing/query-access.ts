import { aliasResolutionsTopic, CHECKPOINTS_TABLE, COMMAND_OUTCOMES_TABLE, repliesTopic } from '@verity/events';
import { runKeys } from '../keys-command';
import { readToEnd } from './read-to-end';
import { eventually, type TestPlatform } from './test-platform';

/** `verity keys <args>` run in this process against the platform, as the CLI runs it; its stdout. */
export async function keys(platform: TestPlatform, ...args: string[]): Promise<string> {
  let stdout = '';
  let stderr = '';
  const code = await runKeys(args, {
    env: platform.env,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  if (code !== 0) throw new Error(`verity keys ${args.join(' ')} exited ${code}: ${stderr}`);
  return stdout;
}

/** The key a `keys create` or `keys rotate` printed: alone on the last line. */
export const keyOf = (stdout: string): string => stdout.trimEnd().split('\n').at(-1)!;

/** A new API key of `tenant` holding `roles`, issued through Kafka (the command processor must run). */
export const issueKey = async (platform: TestPlatform, tenant: string, roles: string[]): Promise<string> =>
  keyOf(await keys(platform, 'create', '--tenant', tenant, '--roles', roles.join(',')));

/** The id of an API key `vk_<id>_<secret>`. */
export const keyIdOf = (key: string): string => key.split('_')[1]!;

/** The same `Authorization: Bearer <JWT>` with one character of its signature changed. */
export function tampered(credential: Record<string, string>): Record<string, string> {
  const token = credential.authorization!.replace(/^Bearer /, '');
  const [header, payload, signature] = token.split('.') as [string, string, string];
  // The first character: every bit of it is signature (the last one's low bits may be padding).
  const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
  return { authorization: `Bearer ${header}.${payload}.${flipped}` };
}

/** A GET answer read whole: status, headers and body text. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

export async function get(url: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A GraphQL query POSTed to `<queryApiUrl>/graphql`, answered whole. */
export async function postGraphql(
  queryApiUrl: string,
  query: string,
  headers: Record<string, string>,
): Promise<Answer> {
  const res = await fetch(`${queryApiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/**
 * A GraphQL subscription over SSE: a refused one answers at once and is read whole; an accepted
 * one (200 event stream) stays open, so it is read until its first chunk, then closed.
 */
export async function openSubscription(
  queryApiUrl: string,
  query: string,
  headers: Record<string, string>,
): Promise<Answer> {
  const abort = new AbortController();
  const res = await fetch(`${queryApiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query }),
    signal: abort.signal,
  });
  if (res.status !== 200) return { status: res.status, headers: res.headers, text: await res.text() };
  const reader = res.body!.getReader();
  const first = await reader.read();
  // A refusal inside the stream (an error event) ends it; an open one waits: read what came, then close.
  const text = first.value ? new TextDecoder().decode(first.value) : '';
  abort.abort();
  await reader.cancel().catch(() => undefined);
  return { status: res.status, headers: res.headers, text };
}

/** The end offset of every partition of every topic of the platform: what a write would move. */
/**
 * The alias resolution log records each resolve the query-api answers (200 or 404, never a
 * refusal): a trail of reads, written by design. "Wrote nothing" checks everything else.
 */
export const isResolutionLogTopic = (platform: TestPlatform, topic: string): boolean =>
  topic === aliasResolutionsTopic(platform.prefix);

/** Rows of a read-model table, the resolution log's own rows and checkpoints left out (undefined for its table). */
export async function rowsBesidesResolutionLog(platform: TestPlatform, table: string): Promise<number | undefined> {
  if (table === 'alias_resolutions') return undefined;
  const query = platform.db.withSchema(platform.schema).from(table);
  if (table === CHECKPOINTS_TABLE) query.whereNot({ projection: 'alias-resolutions' });
  const [row] = await query.count<{ n: string }[]>({ n: '*' });
  return Number(row!.n);
}

export async function topicEnds(platform: TestPlatform): Promise<Record<string, Record<number, string>>> {
  const topics = (await platform.admin.listTopics())
    .filter((t) => t.startsWith(`${platform.prefix}.`) && !isResolutionLogTopic(platform, t))
    .sort();
  return Object.fromEntries(
    await Promise.all(topics.map(async (topic) => [topic, await platform.endOffsets(topic)] as const)),
  );
}

/**
 * Waits until every command replied to so far has its row in `command_outcomes`: the projector
 * gathers replies for up to `VERITY_OUTCOMES_FETCH_GATHER_MS` before it records them.
 */
async function outcomesRecorded(platform: TestPlatform): Promise<void> {
  const topic = repliesTopic(platform.prefix);
  if (!(await platform.admin.listTopics()).includes(topic)) return;
  const replies = await readToEnd(platform.kafka, platform.admin, topic, platform.prefix);
  const commands = new Set(replies.map((r) => r.message.key?.toString()));
  await eventually(
    async () => {
      const [row] = await platform.db
        .withSchema(platform.schema)
        .from(COMMAND_OUTCOMES_TABLE)
        .count<{ n: string }[]>({ n: '*' });
      return Number(row!.n) >= commands.size ? true : undefined;
    },
    20_000,
    `${commands.size} command outcomes recorded`,
  );
}

/**
 * Rows of every table of the platform's read-model schema (but the resolution log), once the
 * outcomes of the commands replied to so far are recorded.
 */
export async function rowCounts(platform: TestPlatform): Promise<Record<string, number>> {
  const tables: { table_name: string }[] = await platform
    .db('information_schema.tables')
    .where({ table_schema: platform.schema, table_type: 'BASE TABLE' })
    .select('table_name');
  if (tables.some((t) => t.table_name === COMMAND_OUTCOMES_TABLE)) await outcomesRecorded(platform);
  const counts = await Promise.all(
    tables.map(async ({ table_name: table }) => [table, await rowsBesidesResolutionLog(platform, table)] as const),
  );
  return Object.fromEntries(
    counts.filter((c): c is readonly [string, number] => c[1] !== undefined).sort(([a], [b]) => a.localeCompare(b)),
  );
}
