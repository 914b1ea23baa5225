import { configFromFlags, isConfigError, loadZooConfig, startServer } from '@paddock/server';
import type { ServerConfig } from '@paddock/server';

export const SERVER_USAGE = `usage: paddock server --config <zoo.cfg>
       paddock server --port <clientPort> --data-dir <dir> [--tick-time <ms>] [--4lw <whitelist>]

Runs a ZooKeeper-compatible store member. --config takes a zoo.cfg with ZooKeeper's keys and defaults.`;

export interface ServerArgs {
  config?: string;
  port?: string;
  dataDir?: string;
  dataLogDir?: string;
  tickTime?: string;
  fourLetterWords?: string;
  help?: boolean;
}

const FLAGS: Record<string, keyof ServerArgs> = {
  '--config': 'config',
  '--port': 'port',
  '--data-dir': 'dataDir',
  '--data-log-dir': 'dataLogDir',
  '--tick-time': 'tickTime',
  '--4lw': 'fourLetterWords',
};

export class UsageError extends Error {}

/** Parses `server` flags (`--flag value` or `--flag=value`). */
export function parseServerArgs(argv: readonly string[]): ServerArgs {
  const out: ServerArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      out.help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const key = FLAGS[name];
    if (!key) throw new UsageError(`unknown option ${arg}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    (out as Record<string, string>)[key] = value;
  }
  if (out.help) return out;
  if (out.config && (out.port || out.dataDir)) throw new UsageError('use either --config or --port/--data-dir, not both');
  if (!out.config && !out.dataDir) throw new UsageError('--config <zoo.cfg> or --data-dir <dir> is required');
  return out;
}

export async function resolveServerConfig(args: ServerArgs): Promise<ServerConfig> {
  if (args.config) return loadZooConfig(args.config);
  return configFromFlags({
    dataDir: args.dataDir!,
    port: args.port,
    dataLogDir: args.dataLogDir,
    tickTime: args.tickTime,
    fourLetterWords: args.fourLetterWords,
  });
}

export async function runServer(argv: readonly string[]): Promise<number> {
  let config: ServerConfig;
  try {
    const args = parseServerArgs(argv);
    if (args.help) {
      console.log(SERVER_USAGE);
      return 0;
    }
    config = await resolveServerConfig(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`paddock server: ${err.message}\n${SERVER_USAGE}`);
      return 2;
    }
    if (isConfigError(err)) {
      console.error(`paddock server: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
  for (const w of config.warnings) console.warn(`paddock server: warning: ${w}`);
  let running;
  try {
    running = await startServer(config);
  } catch (err) {
    console.error(`paddock server: cannot start: ${(err as Error).message}`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`paddock server: ${signal}, shutting down`);
      running.close().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
