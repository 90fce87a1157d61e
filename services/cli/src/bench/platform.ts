import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { ServiceName } from '../services';
import type { PlatformMessage } from './platform-process';

export interface PlatformUnderTest {
  /** Where each service answers, on 127.0.0.1. */
  urls: Partial<Record<ServiceName, string>>;
  stop(): Promise<void>;
}

/** Starts the services in a child process (compiled `platform-process.js`) and waits until all answer. */
export function startPlatformProcess(
  env: NodeJS.ProcessEnv,
  services: readonly ServiceName[],
  startTimeoutMs = 90_000,
): Promise<PlatformUnderTest> {
  const child = fork(join(__dirname, 'platform-process.js'), [...services], {
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send('stop');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const fail = (reason: string): void => {
      clearTimeout(timer);
      void stop().finally(() => reject(new Error(`platform under test: ${reason}`)));
    };
    const timer = setTimeout(() => fail(`not started within ${startTimeoutMs} ms`), startTimeoutMs);
    child.once('message', (message: PlatformMessage) => {
      if ('error' in message) return fail(message.error);
      clearTimeout(timer);
      // The services answer on every interface; the bench talks to them over loopback only.
      const urls = Object.fromEntries(
        Object.entries(message.urls).map(([name, url]) => [name, url.replace('//localhost:', '//127.0.0.1:')]),
      );
      resolve({ urls, stop });
    });
    void exited.then((code) => fail(`exited with code ${code} while starting`));
  });
}
