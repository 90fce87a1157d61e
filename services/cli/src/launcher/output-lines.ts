/**
 * Splits a stream's text into lines. A chunk ends anywhere, so the part after its last newline
 * waits for the next chunk (or `end`), and two processes' lines never mix mid-line.
 */
export interface LineSplitter {
  push(chunk: string): void;
  /** Emits what is left without a final newline. */
  end(): void;
}

export function splitLines(onLine: (line: string) => void): LineSplitter {
  let partial = '';
  return {
    push(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    end() {
      if (partial) onLine(partial);
      partial = '';
    },
  };
}

/** The last `limit` lines seen: what explains a crash. */
export interface LineTail {
  add(line: string): void;
  lines(): string[];
}

export function lineTail(limit: number): LineTail {
  const kept: string[] = [];
  return {
    add(line) {
      kept.push(line);
      if (kept.length > limit) kept.shift();
    },
    lines: () => [...kept],
  };
}

/**
 * A child's line as the launcher prints it: a JSON log line unchanged (it names its service),
 * anything else (a stack trace from Node itself) prefixed with the service's name.
 */
export function attributed(service: string, line: string): string {
  return line.startsWith('{') ? line : `[${service}] ${line}`;
}
