export type ComponentName = 'postgres' | 'redis' | 'kafka' | 'schema-registry' | 'kafka-connect';

export interface ComponentStatus {
  name: ComponentName;
  state: 'running' | 'stopped' | 'unhealthy';
  pid?: number;
  url: string;
  detail?: string;
  logFile: string;
}

export interface InfraOptions {
  /** Repository root. Default: walk up from process.cwd() to the dir whose package.json has "workspaces". */
  root?: string;
  /** Receives human progress lines. Default: writes them to stderr. */
  onProgress?: (line: string) => void;
}
