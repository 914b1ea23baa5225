/**
 * `paddock provider`: registers (and optionally supervises) a provider served by another process — see
 * PROVIDER_HELP and libs/platform's external-provider.ts. Messages go to stderr; the exit status is the
 * supervised process' status, 0 after a signal without a command, 2 for usage errors, 1 for start failures.
 */
import { Framework } from '@paddock/recipes';
import { ExternalProvider, superviseProvider, type ExternalProviderOptions } from '@paddock/platform';
import { UsageError } from '../args.js';
import { PROVIDER_HELP, parseProviderArgs } from './provider-options.js';

const log = (text: string) => process.stderr.write(`paddock provider: ${text}\n`);

export async function runProvider(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseProviderArgs(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`paddock provider: ${error.message}\nRun 'paddock provider --help' for usage.\n`);
    return 2;
  }
  if (options === null) {
    process.stdout.write(PROVIDER_HELP);
    return 0;
  }

  let framework: Framework;
  try {
    framework = await Framework.connect(options.connect, {
      sessionTimeout: options.sessionTimeoutMs,
      ...(options.auth ? { authInfo: [{ scheme: options.auth.scheme, auth: options.auth.secret }] } : {}),
    });
  } catch (error) {
    log(`cannot connect to ${options.connect}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }

  const providerOptions: ExternalProviderOptions = {
    service: options.service,
    application: options.application,
    protocol: options.protocol,
    host: options.host,
    port: options.port,
    methods: options.methods,
    ...(options.weight !== undefined ? { weight: options.weight } : {}),
    ...(options.group ? { group: options.group } : {}),
    ...(options.version ? { version: options.version } : {}),
    parameters: options.parameters,
    ...(options.probe ? { probe: options.probe } : {}),
    probeIntervalMs: options.probeIntervalMs,
    failureThreshold: options.failureThreshold,
    startTimeoutMs: options.startTimeoutMs,
  };
  const watch = (provider: ExternalProvider) => {
    provider.on('up', (path) => log(`registered ${path}`));
    provider.on('down', (reason) => log(`unregistered: ${reason}`));
    provider.on('error', (error) => log(`registry error: ${error instanceof Error ? error.message : String(error)}`));
  };

  let signalled: NodeJS.Signals | undefined;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(signal === 'SIGINT' ? 130 : 143);
    signalled = signal;
    wake();
  };
  const sigint = () => onSignal('SIGINT');
  const sigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  try {
    if (options.command.length > 0) {
      let supervised;
      try {
        supervised = await superviseProvider(framework, { ...providerOptions, command: options.command, stdio: 'inherit' });
      } catch (error) {
        log(error instanceof Error ? error.message : String(error));
        return 1;
      }
      watch(supervised.provider);
      log(`registered ${supervised.provider.path} (process ${supervised.child.pid})`);
      const outcome = await Promise.race([supervised.exited.then((code) => ({ code })), stopped.then(() => null)]);
      if (outcome) {
        log(`provider process exited with status ${outcome.code}; unregistered`);
        return outcome.code;
      }
      log(`${signalled} received: unregistering, then stopping the provider process`);
      await supervised.close();
      return 0;
    }

    const provider = new ExternalProvider(framework, providerOptions);
    watch(provider);
    const started = provider.start();
    const first = await Promise.race([started.then(() => 'started' as const), stopped.then(() => 'signalled' as const)]).catch((error: unknown) => {
      log(error instanceof Error ? error.message : String(error));
      return 'failed' as const;
    });
    if (first === 'failed') return 1;
    if (first === 'started') await stopped;
    log(`${signalled} received: unregistering`);
    await provider.close();
    started.catch(() => undefined);
    return 0;
  } finally {
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
    await framework.close().catch(() => undefined);
  }
}
