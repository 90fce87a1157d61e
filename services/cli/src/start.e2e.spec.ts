import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseApiKey, parseEnv, platformEnvSchema, readModelEnvSchema } from '@verity/service-kit';
import { runKeys } from './keys-command';
import { spawnNodeChild, type NodeChild } from './launcher/child-process';
import { openSandbox, type Sandbox } from './sandbox';
import { bearer } from './sandbox-credentials';
import { SERVICE_NAMES, type ServiceName } from './service-names';
import { commandLineOf, isAlive, isListening, listensOn, parentOf } from './testing/processes';
import { eventually } from './testing/test-platform';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
/** A line saying where a service answers; the pid only when it has a process of its own. */
const SERVICE_LINE = /^(\S+)\s+http:\/\/localhost:(\d+)\s+\(\/health \/ready \/metrics\)(?:\s+pid (\d+))?$/;
/** Starting every service, on two cores shared with other suites. */
const START_TIMEOUT_MS = 150_000;

interface Announced {
  name: ServiceName;
  port: number;
  /** Undefined with --single-process. */
  pid?: number;
}

/** The built CLI run as an operator runs it, its output collected. */
interface Launcher {
  process: NodeChild;
  stdout: string[];
  stderr: string[];
  output(): string;
}

describe('verity start', () => {
  let sandbox: Sandbox;
  const launchers: Launcher[] = [];

  beforeAll(async () => {
    const config = parseEnv(platformEnvSchema.extend(readModelEnvSchema.shape));
    // Info-level logs, so that each service's JSON lines show up on the launcher's stdout.
    sandbox = await openSandbox(config, { label: 't', logLevel: 'info' });
  });
  afterAll(async () => {
    // After a failed test: nothing of ours keeps running or listening.
    await Promise.all(launchers.map((l) => l.process.stop(20_000)));
    await sandbox?.cleanup();
  });

  function launch(args: string[], env: NodeJS.ProcessEnv = sandbox.env): Launcher {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const process = spawnNodeChild({
      name: 'verity',
      script: MAIN,
      args,
      env,
      onLine: (line, stream) => (stream === 'stdout' ? stdout : stderr).push(line),
    });
    const launcher = {
      process,
      stdout,
      stderr,
      output: () => `stdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`,
    };
    launchers.push(launcher);
    return launcher;
  }

  /** The services the launcher says answer, once it has named `count` of them. */
  async function announced(launcher: Launcher, count: number): Promise<Announced[]> {
    return eventually(
      async () => {
        if (launcher.process.exit) throw new Error(`verity ended while starting\n${launcher.output()}`);
        const lines = launcher.stdout.flatMap((line) => {
          const match = SERVICE_LINE.exec(line);
          return match ? [match] : [];
        });
        if (lines.length < count) return undefined;
        return lines.map(([, name, port, pid]) => ({
          name: name as ServiceName,
          port: Number(port),
          ...(pid ? { pid: Number(pid) } : {}),
        }));
      },
      START_TIMEOUT_MS,
      'every service announced',
    );
  }

  const readyStatus = async (port: number): Promise<number> => (await fetch(`http://127.0.0.1:${port}/ready`)).status;

  it(
    'runs each service in its own process, serves a command end to end, and stops them all on SIGTERM',
    async () => {
      const launcher = launch(['start']);
      const services = await announced(launcher, SERVICE_NAMES.length);
      expect(services.map((s) => s.name)).toEqual([...SERVICE_NAMES]);
      for (const { port } of services) expect(await readyStatus(port)).toBe(200);

      const pids = services.map((s) => s.pid ?? 0);
      expect(new Set([...pids, launcher.process.pid]).size).toBe(SERVICE_NAMES.length + 1);
      for (const { name, port, pid = 0 } of services) {
        expect({ name, parent: parentOf(pid) }).toEqual({ name, parent: launcher.process.pid });
        expect(commandLineOf(pid).at(-1)).toMatch(new RegExp(`/services/${name}/dist/main\\.js$`));
        expect({ name, port, listens: listensOn(pid, port) }).toEqual({ name, port, listens: true });
      }
      // The services' JSON logs pass through the launcher's stdout, each naming its service.
      const logged = new Set(
        launcher.stdout
          .filter((line) => line.startsWith('{'))
          .map((line) => (JSON.parse(line) as { service?: string }).service),
      );
      for (const name of SERVICE_NAMES) expect(logged).toContain(name);

      const [gateway, queryApi] = ['gateway', 'query-api'].map((n) => services.find((s) => s.name === n)?.port);
      // The services are child processes with the sandbox's environment: its secret signs for them.
      const acme = { ...(await bearer(sandbox.env, { tenant: 'acme' })), 'X-Tenant-Id': 'acme' };
      const accepted = await fetch(`http://127.0.0.1:${gateway}/v1/commands/inventory.ReceiveStock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...acme },
        body: JSON.stringify({ sku: 'SKU-PROCESSES', location: 'oslo', quantity: 3 }),
      });
      expect(accepted.status).toBe(200);
      const { consistencyToken } = (await accepted.json()) as { consistencyToken: string };
      const view = await fetch(`http://127.0.0.1:${queryApi}/v1/inventory/SKU-PROCESSES`, {
        headers: { ...acme, 'X-Consistency-Token': consistencyToken },
      });
      expect(view.status).toBe(200);
      expect(await view.json()).toMatchObject({ version: 1, totals: { onHand: 3 } });

      launcher.process.signal('SIGTERM');
      // The launcher's own lines say which service did not stop cleanly, if one did not.
      expect({
        exit: await launcher.process.exited,
        said: launcher.stderr.filter((l) => l.startsWith('verity:')),
      }).toEqual({
        exit: { code: 0, signal: null },
        said: [
          `verity: starting ${SERVICE_NAMES.join(', ')} (one process each)`,
          `verity: stopping ${SERVICE_NAMES.join(', ')} on SIGTERM`,
        ],
      });
      for (const { name, port, pid = 0 } of services)
        expect({ name, alive: isAlive(pid), listening: isListening(port) }).toEqual({
          name,
          alive: false,
          listening: false,
        });
    },
    START_TIMEOUT_MS + 60_000,
  );

  describe('verity up', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'verity-up-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    /** The key `verity up` printed once the services were ready, and the words before it. */
    const printedKey = (launcher: Launcher) =>
      eventually(
        async () => {
          if (launcher.process.exit) throw new Error(`verity ended while starting\n${launcher.output()}`);
          const at = launcher.stdout.findIndex((line) => /local admin key of tenant default/.test(line));
          const key = at < 0 ? undefined : /^ {2}(vk_\S+)$/.exec(launcher.stdout[at + 1] ?? '')?.[1];
          return key === undefined
            ? undefined
            : { said: launcher.stdout[at]!, key, after: launcher.stdout.slice(at + 2) };
        },
        START_TIMEOUT_MS,
        'the local admin key printed',
      );

    const stopped = async (launcher: Launcher) => {
      launcher.process.signal('SIGTERM');
      expect(await launcher.process.exited).toEqual({ code: 0, signal: null });
    };

    it(
      'issues a local admin key on the first start, which the gateway accepts, reuses it on the next, and replaces it once revoked',
      async () => {
        const file = join(dir, '.verity', 'local-admin-key');
        // As a developer's shell has it: metrics not configured, so local up opens them.
        const env = { ...sandbox.env, VERITY_LOCAL_ADMIN_KEY_FILE: file, VERITY_METRICS_OPEN: undefined };
        const first = launch(['up'], env);
        const services = await announced(first, SERVICE_NAMES.length);
        const issued = await printedKey(first);
        expect(issued.said).toBe(
          `Issued a local admin key of tenant default (roles admin,reader:metrics), kept in ${file}:`,
        );
        expect((await readFile(file, 'utf8')).trim()).toBe(issued.key);
        expect((await stat(file)).mode & 0o777).toBe(0o600);
        // A command to paste: it sends the key.
        expect(issued.after.join('\n')).toContain(`-H 'Authorization: Bearer ${issued.key}'`);

        const port = (name: ServiceName) => services.find((s) => s.name === name)!.port;
        const receive = () =>
          fetch(`http://127.0.0.1:${port('gateway')}/v1/commands/inventory.ReceiveStock`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${issued.key}` },
            body: JSON.stringify({ sku: 'SKU-LOCAL', location: 'oslo', quantity: 1 }),
          });
        // The gateway learns a new key from the access context's state within moments.
        const accepted = await eventually(async () => {
          const res = await receive();
          return res.status === 200 ? res : undefined;
        }, 30_000);
        expect(await accepted.json()).toMatchObject({ streamId: 'default/SKU-LOCAL', version: 1 });
        expect((await fetch(`http://127.0.0.1:${port('query-api')}/metrics`)).status).toBe(200);
        await stopped(first);

        const second = launch(['up'], env);
        await announced(second, SERVICE_NAMES.length);
        const reused = await printedKey(second);
        expect({ said: reused.said, key: reused.key }).toEqual({
          said: `Using the local admin key of tenant default (roles admin,reader:metrics), kept in ${file}:`,
          key: issued.key,
        });
        expect((await readFile(file, 'utf8')).trim()).toBe(issued.key);

        // Revoked (while a processor runs to decide it), the stored key is no longer reused.
        const quiet = { write: () => true };
        const revoke = ['revoke', parseApiKey(issued.key)!.keyId];
        expect(await runKeys(revoke, { env: sandbox.env, stdout: quiet, stderr: quiet })).toBe(0);
        await stopped(second);
        const third = launch(['up'], env);
        await announced(third, SERVICE_NAMES.length);
        const renewed = await printedKey(third);
        expect(renewed.said).toMatch(/^Issued a local admin key/);
        expect(renewed.key).not.toBe(issued.key);
        expect((await readFile(file, 'utf8')).trim()).toBe(renewed.key);
        await stopped(third);
      },
      3 * START_TIMEOUT_MS + 60_000,
    );
  });

  it(
    'reports a service that dies, stops the others and exits 1',
    async () => {
      const launcher = launch(['start', 'query-api', 'projector']);
      const services = await announced(launcher, 2);
      expect(services.map((s) => s.name)).toEqual(['projector', 'query-api']);
      const [projector, queryApi] = services;
      process.kill(projector?.pid ?? 0, 'SIGKILL');

      expect(await launcher.process.exited).toEqual({ code: 1, signal: null });
      expect(launcher.stderr.join('\n')).toMatch(
        /^verity: projector ended by itself \(signal SIGKILL\) while running; its last lines:\n {2}\{/m,
      );
      expect(launcher.stderr).toContain('verity: stopping query-api after the failure above');
      expect(isAlive(queryApi?.pid ?? 0)).toBe(false);
      for (const { port } of services) expect(isListening(port)).toBe(false);
    },
    START_TIMEOUT_MS + 60_000,
  );

  it(
    'fails the start of a service that cannot listen, naming it and quoting its last lines',
    async () => {
      const busy: Server = createServer();
      await new Promise<void>((resolve) => busy.listen(0, resolve));
      const address = busy.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      try {
        const launcher = launch(['start', 'gateway'], { ...sandbox.env, VERITY_GATEWAY_PORT: String(port) });
        expect(await launcher.process.exited).toEqual({ code: 1, signal: null });
        expect(launcher.stdout.some((line) => SERVICE_LINE.test(line))).toBe(false);
        expect(launcher.stderr.join('\n')).toMatch(
          /^verity: gateway ended by itself \(code 1\) while starting; its last lines:\n(?: {2}.*\n)*? {2}.*EADDRINUSE/m,
        );
      } finally {
        busy.close();
      }
    },
    START_TIMEOUT_MS,
  );

  it(
    'services stop by themselves when the launcher is killed outright',
    async () => {
      const launcher = launch(['start', 'gateway']);
      const [gateway] = await announced(launcher, 1);
      launcher.process.signal('SIGKILL');
      await launcher.process.exited;
      await eventually(
        async () => (!isAlive(gateway?.pid ?? 0) && !isListening(gateway?.port ?? 0)) || undefined,
        20_000,
        'the gateway gone once its launcher died',
      );
    },
    START_TIMEOUT_MS,
  );

  it(
    '--single-process runs every service in the launcher itself, ready, and stops on SIGTERM',
    async () => {
      const launcher = launch(['start', '--single-process']);
      const services = await announced(launcher, SERVICE_NAMES.length);
      expect(services.map((s) => s.name)).toEqual([...SERVICE_NAMES]);
      for (const { name, port, pid } of services) {
        expect(pid).toBeUndefined();
        expect({ name, listens: listensOn(launcher.process.pid, port) }).toEqual({ name, listens: true });
        expect({ name, ready: await readyStatus(port) }).toEqual({ name, ready: 200 });
      }
      launcher.process.signal('SIGTERM');
      expect(await launcher.process.exited).toEqual({ code: 0, signal: null });
      for (const { port } of services) expect(isListening(port)).toBe(false);
    },
    START_TIMEOUT_MS + 60_000,
  );
});
