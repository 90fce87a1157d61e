import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * What Linux says of a process and of listening TCP ports (/proc), so a test can check which
 * process serves a port and that nothing is left behind, without trusting the code under test.
 */

/** Inodes of the sockets listening on `port`, IPv4 and IPv6, in this network namespace. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode; 0A is LISTEN.
      const fields = row.trim().split(/\s+/);
      const localPort = fields[1]?.split(':')[1];
      if (fields[3] === '0A' && localPort && parseInt(localPort, 16) === port && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}

export function isListening(port: number): boolean {
  return listeningInodes(port).size > 0;
}

/** The process holds a socket listening on `port`. */
export function listensOn(pid: number, port: number): boolean {
  const inodes = listeningInodes(port);
  const fds = readdirSync(`/proc/${pid}/fd`);
  return fds.some((fd) => {
    try {
      return inodes.has(/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? '');
    } catch {
      return false;
    }
  });
}

/** Running: it exists and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    // The state follows the command name, which is in parentheses and may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export function parentOf(pid: number): number {
  return Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

export function commandLineOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}
