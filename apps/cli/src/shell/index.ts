/**
 * `paddock shell [-server host:port[/chroot]] [-timeout ms] [-waitforconnection] [cmd args...]`: zkCli.sh.
 *
 * With a command: runs it and exits with its status (0, 1 on error, 127 for an unknown command), without
 * closing the session (as zkCli does: its ephemerals live until the session expires). Without one: reads
 * commands from stdin; on a terminal with a prompt, line editing, history and tab completion of paths and
 * commands (JLine's role in zkCli), otherwise line by line without a prompt (zkCli without JLine).
 */
import readline from 'node:readline';
import { parseShellOptions } from './cli-options.js';
import { completeLine } from './completer.js';
import { COMMAND_NAMES, JavaCrash, ShellExit, ZkShell, type ShellIO } from './shell.js';

export { ZkShell } from './shell.js';

export interface ShellDeps {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Version text for `version`. */
  readonly version?: string;
}

const defaultDeps: ShellDeps = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

/** Runs the shell; resolves with the exit status (the caller ends the process: the session is not closed). */
export async function runShell(argv: readonly string[], deps: Partial<ShellDeps> = {}): Promise<number> {
  const d: ShellDeps = { ...defaultDeps, ...deps };
  const io: ShellIO = {
    out: (text) => void d.stdout.write(text),
    err: (text) => void d.stderr.write(text),
  };
  const options = parseShellOptions(argv);
  for (const e of options.errors) io.err(`${e}\n`);
  const timeout = Number(options.timeout);
  if (!/^[+-]?\d+$/.test(options.timeout) || !Number.isSafeInteger(timeout)) {
    io.err(`Exception in thread "main" java.lang.NumberFormatException: For input string: "${options.timeout}"\n`);
    return 1;
  }

  let rl: readline.Interface | undefined;
  const interactive = options.command === undefined && d.stdin.isTTY === true;
  const shell = new ZkShell(io, {
    timeout,
    waitForConnection: options.waitForConnection,
    onAsyncOutput: () => {
      if (rl) {
        rl.setPrompt(shell.prompt());
        rl.prompt(true);
      }
    },
  });
  if (d.version) shell.versionString = d.version;

  try {
    io.out(`Connecting to ${options.server}\n`);
    await shell.connect(options.server);

    if (options.command !== undefined) {
      await shell.processCmd(options.command);
      return shell.exitCode;
    }

    io.out('Welcome to ZooKeeper!\n');
    if (interactive) {
      io.out('JLine support is enabled\n');
      rl = readline.createInterface({
        input: d.stdin,
        output: d.stdout,
        terminal: true,
        historySize: 1000,
        completer: (line: string, callback: (error: Error | null, result?: [string[], string]) => void) => {
          completeLine(line, COMMAND_NAMES, (path) => shell.listChildren(path)).then(
            (result) => callback(null, result),
            () => callback(null, [[], line]),
          );
        },
      });
      rl.on('SIGINT', () => {
        rl?.close();
        d.stdout.write('\n');
        process.exit(130);
      });
      rl.setPrompt(shell.prompt());
      rl.prompt();
      for await (const line of rl) {
        await shell.executeLine(line);
        rl.setPrompt(shell.prompt());
        rl.prompt();
      }
    } else {
      io.out('JLine support is disabled\n');
      rl = undefined;
      const lines = readline.createInterface({ input: d.stdin, terminal: false, crlfDelay: Infinity });
      for await (const line of lines) await shell.executeLine(line);
    }
    return shell.exitCode;
  } catch (error) {
    if (error instanceof ShellExit) return error.code;
    if (error instanceof JavaCrash) {
      io.err(`${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    rl?.close();
  }
}
