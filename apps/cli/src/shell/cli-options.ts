/**
 * The command-line handling zkCli.sh uses: commons-cli's DefaultParser (options anywhere, concatenated short
 * flags, "-tVALUE" / "-t=VALUE", "--" ends options) and ZooKeeperMain's line tokenizer and start-up options.
 */

/** Short options of a command, in declaration order; `true` = takes a value. */
export type OptionSpec = Readonly<Record<string, boolean>>;

/** A parse failure; `message` is what zkCli prints (the commons-cli exception's toString()). */
export class OptionParseError extends Error {
  constructor(javaClass: 'UnrecognizedOptionException' | 'MissingArgumentException', detail: string) {
    super(`org.apache.commons.cli.${javaClass}: ${detail}`);
    this.name = 'OptionParseError';
  }
}

export interface CommandLine {
  /** Non-option tokens, the command name first (CommandLine.getArgs()). */
  readonly args: string[];
  has(option: string): boolean;
  /** The first value given for the option. */
  value(option: string): string | undefined;
}

function isNegativeNumber(token: string): boolean {
  // Double.parseDouble accepts a bit more (hex floats, "Infinity", trailing d/f); this covers the practical cases
  return /^-(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(token) || token === '-Infinity' || token === '-NaN';
}

/** commons-cli DefaultParser.parse(options, tokens) with stopAtNonOption = false and only short options. */
export function parseCommandLine(spec: OptionSpec, tokens: readonly string[]): CommandLine {
  const has = (name: string): boolean => Object.prototype.hasOwnProperty.call(spec, name);
  const args: string[] = [];
  const values = new Map<string, string[]>();
  let current: string | undefined; // an option that takes a value and has none yet
  let skipParsing = false;

  const checkRequiredArgs = (): void => {
    if (current !== undefined) throw new OptionParseError('MissingArgumentException', `Missing argument for option: ${current}`);
  };
  const handleOption = (name: string): void => {
    checkRequiredArgs();
    if (!values.has(name)) values.set(name, []);
    current = spec[name] ? name : undefined;
  };
  const addValue = (value: string): void => {
    if (current === undefined) return;
    values.get(current)!.push(value);
    current = undefined;
  };
  const handleUnknownToken = (token: string): void => {
    if (token.startsWith('-') && token.length > 1) throw new OptionParseError('UnrecognizedOptionException', `Unrecognized option: ${token}`);
    args.push(token);
  };
  const isShortOption = (token: string): boolean => {
    if (!token.startsWith('-') || token.length === 1) return false;
    const eq = token.indexOf('=');
    const name = eq === -1 ? token.slice(1) : token.slice(1, eq);
    return has(name) || (name.length > 0 && has(name[0]!));
  };
  const isArgument = (token: string): boolean => !isShortOption(token) || isNegativeNumber(token);

  for (const token of tokens) {
    if (skipParsing) {
      args.push(token);
    } else if (token === '--') {
      skipParsing = true;
    } else if (current !== undefined && isArgument(token)) {
      addValue(stripQuotes(token));
    } else if (token.startsWith('--')) {
      // no command has long options
      handleUnknownToken(token);
    } else if (token.startsWith('-') && token !== '-') {
      const t = token.replace(/^-+/, '');
      const eq = t.indexOf('=');
      if (t.length === 1) {
        if (has(t)) handleOption(t);
        else handleUnknownToken(token);
      } else if (eq === -1) {
        if (has(t)) {
          handleOption(t);
        } else {
          // concatenated flags (-se), or a flag with its value attached (-t5000)
          for (let i = 1; i < token.length; i++) {
            const ch = token[i]!;
            if (!has(ch)) {
              handleUnknownToken(token);
              break;
            }
            handleOption(ch);
            if (current !== undefined && i + 1 !== token.length) {
              addValue(token.slice(i + 1));
              break;
            }
          }
        }
      } else {
        const name = t.slice(0, eq);
        if (name.length === 1 && spec[name]) {
          handleOption(name);
          addValue(t.slice(eq + 1));
        } else {
          handleUnknownToken(token);
        }
      }
    } else {
      handleUnknownToken(token);
    }
  }
  checkRequiredArgs();
  return {
    args,
    has: (option) => values.has(option),
    value: (option) => values.get(option)?.[0],
  };
}

/** commons-cli Util.stripLeadingAndTrailingQuotes (1.4): one pair of surrounding double quotes. */
function stripQuotes(value: string): string {
  if (value.length > 1 && value.startsWith('"') && value.endsWith('"') && value.indexOf('"', 1) === value.length - 1) {
    return value.slice(1, -1);
  }
  return value;
}

const ARGS_PATTERN = /\s*([^"']\S*|"[^"]*"|'[^']*')\s*/g;
const QUOTED_PATTERN = /^(['"])(.*)(\1)$/s;

/**
 * ZooKeeperMain.MyCommandOptions.parseCommand: splits a shell line into words; a word may be "double" or
 * 'single' quoted (no escapes). Returns [] for a blank line.
 */
export function tokenizeLine(line: string): string[] {
  const out: string[] = [];
  ARGS_PATTERN.lastIndex = 0;
  for (const match of line.matchAll(ARGS_PATTERN)) {
    let value = match[1];
    if (value === undefined) continue;
    if (QUOTED_PATTERN.test(value)) value = value.slice(1, -1);
    out.push(value);
  }
  return out;
}

export interface ShellOptions {
  server: string;
  timeout: string;
  readonly: boolean;
  waitForConnection: boolean;
  clientConfiguration?: string;
  /** The command and its arguments for one-shot use; undefined for an interactive session. */
  command?: string[];
  /** "Error: no argument found for option -server" style messages. */
  errors: string[];
}

/** MyCommandOptions.parseOptions: -server, -timeout, -r, -client-configuration, -waitforconnection, then the command. */
export function parseShellOptions(argv: readonly string[]): ShellOptions {
  const options: ShellOptions = { server: 'localhost:2181', timeout: '30000', readonly: false, waitForConnection: false, errors: [] };
  for (let i = 0; i < argv.length; i++) {
    const opt = argv[i]!;
    const next = (): string | undefined => {
      if (i + 1 >= argv.length) {
        options.errors.push(`Error: no argument found for option ${opt}`);
        return undefined;
      }
      return argv[++i];
    };
    if (opt === '-server') {
      const v = next();
      if (v === undefined) return options;
      options.server = v;
    } else if (opt === '-timeout') {
      const v = next();
      if (v === undefined) return options;
      options.timeout = v;
    } else if (opt === '-r') {
      options.readonly = true;
    } else if (opt === '-client-configuration') {
      const v = next();
      if (v === undefined) return options;
      options.clientConfiguration = v;
    } else if (opt === '-waitforconnection') {
      options.waitForConnection = true;
    } else if (!opt.startsWith('-')) {
      options.command = argv.slice(i);
      return options;
    }
    // other "-x" words are ignored, as zkCli does
  }
  return options;
}
