import type { ConnectorRequest } from '@verity/connector-cdc';
import { ConnectorConfigInvalidError, KafkaConnectError } from './errors';

/** One task's or the connector's own state, as Connect reports it. */
export interface ConnectorState {
  state: string;
  worker_id?: string;
  /** The stack trace of a FAILED connector or task. */
  trace?: string;
}

export interface ConnectorStatus {
  name: string;
  connector: ConnectorState;
  tasks: (ConnectorState & { id: number })[];
  type?: string;
}

interface ValidationAnswer {
  error_count: number;
  configs: { value: { name: string; errors: string[] } }[];
}

/** The parts of Kafka Connect's REST API the CLI uses. */
export interface ConnectApi {
  /** Connect's (and the plugin's) check of a config, which connects to the database for Debezium. */
  validate(request: ConnectorRequest): Promise<void>;
  /** Creates or updates: an idempotent PUT; true when it created the connector. */
  put(request: ConnectorRequest): Promise<boolean>;
  statuses(): Promise<ConnectorStatus[]>;
  remove(name: string): Promise<void>;
}

export function createConnectApi(baseUrl: string): ConnectApi {
  const base = baseUrl.replace(/\/$/, '');
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(90_000),
      });
    } catch (error) {
      throw new KafkaConnectError(
        `${method} ${base}${path}: ${(error as Error).message} (is the stack up? npx verity infra up)`,
      );
    }
    const text = await res.text();
    const json = parseJson(text);
    if (res.status >= 400) {
      const message = (json as { message?: string } | undefined)?.message ?? text;
      throw new KafkaConnectError(`${method} ${path}: ${res.status} ${message}`, res.status);
    }
    return { status: res.status, json };
  };
  return {
    async validate(request) {
      const pluginClass = request.config['connector.class'];
      if (!pluginClass) throw new ConnectorConfigInvalidError(request.name, ['connector.class: required']);
      const { json } = await call('PUT', `/connector-plugins/${encodeURIComponent(pluginClass)}/config/validate`, {
        ...request.config,
        name: request.name,
      });
      const answer = json as ValidationAnswer;
      if (answer.error_count === 0) return;
      const errors = answer.configs.flatMap((c) => c.value.errors.map((e) => `${c.value.name}: ${e}`));
      throw new ConnectorConfigInvalidError(request.name, errors);
    },
    async put(request) {
      const { status } = await call('PUT', `/connectors/${encodeURIComponent(request.name)}/config`, request.config);
      return status === 201;
    },
    async statuses() {
      const { json } = await call('GET', '/connectors?expand=status');
      const byName = (json ?? {}) as Record<string, { status: ConnectorStatus }>;
      return Object.values(byName)
        .map((c) => c.status)
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    async remove(name) {
      await call('DELETE', `/connectors/${encodeURIComponent(name)}`);
    },
  };
}

/** Connect answers JSON, except a proxy or a crashed worker: then the text is the message. */
function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One line per connector and per task, and the first lines of a failed one's trace. */
export function statusLines(statuses: readonly ConnectorStatus[]): string {
  if (statuses.length === 0) return 'no connectors\n';
  const traceLines = (trace: string | undefined): string[] =>
    trace
      ? trace
          .split('\n')
          .slice(0, 12)
          .map((line) => `      ${line}`)
      : [];
  return statuses
    .flatMap((s) => [
      `${s.name}  ${s.connector.state}${s.connector.worker_id ? `  ${s.connector.worker_id}` : ''}`,
      ...traceLines(s.connector.trace),
      ...(s.tasks.length === 0 ? ['  no tasks'] : []),
      ...s.tasks.flatMap((t) => [
        `  task ${t.id}  ${t.state}${t.worker_id ? `  ${t.worker_id}` : ''}`,
        ...traceLines(t.trace),
      ]),
    ])
    .map((line) => `${line}\n`)
    .join('');
}
