import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { livePidFromFile, parsePid, readPidFile, writePidFile } from './processes';

const tempFile = (name: string): string => join(mkdtempSync(join(tmpdir(), 'verity-pid-')), name);

describe('pid files', () => {
  it('parse the first line only, as in postmaster.pid', () => {
    expect(parsePid('1234\n/var/lib/data\n5442\n')).toBe(1234);
    expect(parsePid(' 42 ')).toBe(42);
  });

  it('reject content that is not a usable pid', () => {
    expect(parsePid('')).toBeUndefined();
    expect(parsePid('abc')).toBeUndefined();
    expect(parsePid('1')).toBeUndefined(); // never signal init
    expect(parsePid('-5')).toBeUndefined();
  });

  it('round-trip through write and read', () => {
    const file = tempFile('x.pid');
    writePidFile(file, 4321);
    expect(readPidFile(file)).toBe(4321);
  });

  it('name a live process only when its command line carries the marker', () => {
    const file = tempFile('self.pid');
    writePidFile(file, process.pid);
    expect(livePidFromFile(file, process.argv0)).toBe(process.pid);
  });

  it('are removed when the process is gone', () => {
    const file = tempFile('dead.pid');
    const dead = spawnSync('true').pid;
    writeFileSync(file, `${dead}\n`);
    expect(livePidFromFile(file, 'anything')).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });

  it('are removed when the pid was reused by an unrelated process', () => {
    const file = tempFile('reused.pid');
    writePidFile(file, process.pid);
    expect(livePidFromFile(file, '/no/such/marker/in/any/command/line')).toBeUndefined();
    expect(existsSync(file)).toBe(false);
  });
});
