/** The content of src/generated/event-types.ts for the schemas in dir (default: the schemas workspace). */
export function generateEventTypes(dir?: string): string;
/** Where the build writes the generated file. */
export const OUTPUT: string;
/** The command that regenerates it. */
export const COMMAND: string;
