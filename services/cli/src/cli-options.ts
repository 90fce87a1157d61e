import { UsageError } from './errors';

export interface ReadOptions {
  /** `--name value` or `--name=value`, each at most once. */
  options: Map<string, string>;
  /** Options that take no value. */
  flags: Set<string>;
  positional: string[];
}

/** Splits a command's arguments by the options it knows; anything else is a named usage error. */
export function readOptions(
  command: string,
  args: readonly string[],
  valued: readonly string[],
  flagNames: readonly string[] = [],
): ReadOptions {
  const options = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (flagNames.includes(name)) {
      if (eq >= 0) throw new UsageError(`${name} takes no value`);
      flags.add(name);
      continue;
    }
    if (!valued.includes(name)) throw new UsageError(`${command}: unknown option ${name}`);
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (!value || (eq < 0 && value.startsWith('--'))) throw new UsageError(`${name} needs a value`);
    if (options.has(name)) throw new UsageError(`${name} given twice`);
    options.set(name, value);
  }
  return { options, flags, positional };
}
