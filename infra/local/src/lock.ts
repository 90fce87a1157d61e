import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, parsePid } from './processes';

/**
 * Serialises `up` and `down` across processes: parallel test suites each call infraUp, and
 * two of them must not start the same broker twice. A lock whose holder died is taken over.
 */
export async function withLock<T>(file: string, onWait: () => void, body: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(file), { recursive: true });
  let waited = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = parsePid(safeRead(file));
      if (holder === undefined || holder === process.pid || !isAlive(holder)) {
        rmSync(file, { force: true });
        continue;
      }
      if (!waited) onWait();
      waited = true;
      await sleep(500);
    }
  }
  try {
    return await body();
  } finally {
    rmSync(file, { force: true });
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
