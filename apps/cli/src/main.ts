/**
 * The `paddock` command (bin/paddock.js calls {@link main}).
 *
 * The server library is imported lazily, only by the commands that need it, so `paddock help`
 * stays fast and the argument handling can be tested with a stand-in server.
 */
import { readFileSync } from 'node:fs';
import type { ServerConfig, ServerFlags } from '@paddock/server';
import { MAIN_HELP, SERVER_HELP, UsageError, parseArgs } from './args.js';

/** What `paddock` needs from `@paddock/server`. */
export interface ServerModule {
  readonly ZOOKEEPER_COMPAT_VERSION: string;
  loadZooConfig(path: string): Promise<ServerConfig>;
  configFromFlags(flags: ServerFlags): ServerConfig;
  startServer(config: ServerConfig): Promise<{ close(): Promise<void>; readonly port: number }>;
}

export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

/** Side effects of {@link main}, replaceable in tests. */
export interface CliDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly loadServer: () => Promise<ServerModule>;
  /** Subscribes to a signal; returns the unsubscribe function. */
  readonly onSignal: (signal: ShutdownSignal, handler: () => void) => () => void;
  /** Ends the process at once (a second signal while shutting down). */
  readonly exit: (code: number) => void;
}

const defaultDeps: CliDeps = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  loadServer: async () => {
    const m = await import('@paddock/server');
    return {
      ZOOKEEPER_COMPAT_VERSION: m.ZOOKEEPER_COMPAT_VERSION,
      loadZooConfig: m.loadZooConfig,
      configFromFlags: m.configFromFlags,
      startServer: m.startServer,
    };
  },
  onSignal: (signal, handler) => {
    process.on(signal, handler);
    return () => process.off(signal, handler);
  },
  exit: (code) => process.exit(code),
};

/** Exit codes. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** This CLI's package version (apps/cli/package.json, one level above src/ and dist/). */
export function paddockVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

function isConfigError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ConfigError';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function main(argv: string[], deps: Partial<CliDeps> = {}): Promise<number> {
  const d: CliDeps = { ...defaultDeps, ...deps };
  let command;
  try {
    command = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const hint = err.topic === 'server' ? "paddock server --help" : 'paddock help';
    d.stderr(`paddock: ${err.message}\nRun '${hint}' for usage.\n`);
    return EXIT_USAGE;
  }

  switch (command.kind) {
    case 'help':
      d.stdout(command.topic === 'server' ? SERVER_HELP : MAIN_HELP);
      return EXIT_OK;
    case 'version': {
      const server = await d.loadServer();
      d.stdout(`paddock ${paddockVersion()} (ZooKeeper ${server.ZOOKEEPER_COMPAT_VERSION} compatible)\n`);
      return EXIT_OK;
    }
    case 'server':
      return runServer('config' in command ? { config: command.config } : { flags: command.flags }, d);
    case 'shell': {
      const { runShell } = await import('./shell/index.js');
      const code = await runShell(command.args, { version: `3.8.0 (paddock ${paddockVersion()})` });
      // the session stays open (zkCli exits without closing it); end the process explicitly
      d.exit(code);
      return code;
    }
    case 'bench': {
      const { runBench } = await import('./bench/index.js');
      return runBench([...command.args]);
    }
    case 'provider': {
      const { runProvider } = await import('./provider/index.js');
      const code = await runProvider(command.args);
      // sockets of the closed session may linger a moment; the command is over
      d.exit(code);
      return code;
    }
  }
}

async function runServer(source: { config: string } | { flags: ServerFlags }, d: CliDeps): Promise<number> {
  const server = await d.loadServer();

  let config: ServerConfig;
  try {
    config = 'config' in source ? await server.loadZooConfig(source.config) : server.configFromFlags(source.flags);
  } catch (err) {
    if (!isConfigError(err)) throw err;
    d.stderr(`paddock: ${err.message}\n`);
    return EXIT_USAGE;
  }
  for (const warning of config.warnings) d.stderr(`paddock: warning: ${warning}\n`);

  // Subscribe before starting, so a Ctrl-C during startup still shuts down cleanly.
  let signalled: ShutdownSignal | undefined;
  let wake: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const onSignal = (signal: ShutdownSignal) => () => {
    if (signalled !== undefined) {
      d.stderr(`paddock: ${signal} received again, exiting without a clean shutdown\n`);
      d.exit(signal === 'SIGINT' ? 130 : 143);
      return;
    }
    signalled = signal;
    wake?.();
  };
  const unsubscribe = [d.onSignal('SIGINT', onSignal('SIGINT')), d.onSignal('SIGTERM', onSignal('SIGTERM'))];

  try {
    let running: { close(): Promise<void>; readonly port: number };
    try {
      running = await server.startServer(config);
    } catch (err) {
      if (isConfigError(err)) {
        d.stderr(`paddock: ${err.message}\n`);
        return EXIT_USAGE;
      }
      d.stderr(`paddock: failed to start: ${messageOf(err)}\n`);
      return EXIT_FAILURE;
    }

    const where = `${config.clientPortAddress ?? '0.0.0.0'}:${running.port}`;
    const role = config.distributed ? `quorum member ${config.serverId}` : 'standalone';
    d.stderr(`paddock: serving ZooKeeper clients on ${where} (${role}, dataDir ${config.dataDir})\n`);

    await stopped;
    d.stderr(`paddock: ${signalled} received, shutting down\n`);
    try {
      await running.close();
    } catch (err) {
      d.stderr(`paddock: error while shutting down: ${messageOf(err)}\n`);
      return EXIT_FAILURE;
    }
    d.stderr('paddock: stopped\n');
    return EXIT_OK;
  } finally {
    for (const off of unsubscribe) off();
  }
}
