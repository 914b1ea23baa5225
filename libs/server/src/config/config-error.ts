/**
 * A problem in a zoo.cfg file (or in the command-line flags that stand in for one).
 *
 * The message always names where the problem is, so the CLI can print it as-is:
 *
 *   zoo.cfg:7: tickTime: expected a positive integer, got "abc"
 *   zoo.cfg: dataDir: required key is missing
 *   command line: --port: expected an integer between 0 and 65535, got "http"
 */
export class ConfigError extends Error {
  /** The file name as given to the parser (or "command line"). */
  readonly file: string;
  /** 1-based line number of the offending entry, when there is one. */
  readonly line: number | undefined;
  /** The key as written in the file, when the problem is about one key. */
  readonly key: string | undefined;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(file: string, line: number | undefined, key: string | undefined, reason: string) {
    const where = line === undefined ? file : `${file}:${line}`;
    super(key === undefined ? `${where}: ${reason}` : `${where}: ${key}: ${reason}`);
    this.name = 'ConfigError';
    this.file = file;
    this.line = line;
    this.key = key;
    this.reason = reason;
  }
}

export function isConfigError(err: unknown): err is ConfigError {
  return err instanceof ConfigError || (err instanceof Error && err.name === 'ConfigError');
}
