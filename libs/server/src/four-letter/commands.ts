/**
 * The four-letter words Paddock answers, in the order ZooKeeper 3.8's `FourLetterCommands`
 * registers them.
 */
export const FOUR_LETTER_WORDS = [
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'ruok', 'srst', 'srvr', 'stat',
  'wchc', 'wchp', 'wchs', 'mntr', 'isro',
] as const;

export type FourLetterWord = (typeof FOUR_LETTER_WORDS)[number];

/**
 * Every word ZooKeeper 3.8 knows (what `4lw.commands.whitelist=*` expands to there). `gtmk`,
 * `stmk` and `hash` are accepted in a whitelist for compatibility but Paddock does not answer them
 * (they are not recognised as commands, so the 4 bytes are read as a frame length).
 */
export const ZOOKEEPER_FOUR_LETTER_WORDS: readonly string[] = [
  ...FOUR_LETTER_WORDS, 'gtmk', 'stmk', 'hash',
];

export function isFourLetterWord(cmd: string): cmd is FourLetterWord {
  return (FOUR_LETTER_WORDS as readonly string[]).includes(cmd);
}

/**
 * The enabled set, from a `4lw.commands.whitelist` value, following `FourLetterCommands.isEnabled`:
 * comma separated, blanks around names ignored, `*` anywhere means every known word; `srvr` is
 * always enabled (zkServer.sh needs it) and `isro` is enabled when read-only mode is on.
 * `undefined` (key absent) therefore gives just `srvr` (+ `isro`).
 *
 * Returns the names in registration order. Throws a plain Error naming the first unknown word;
 * the zoo.cfg parser turns it into a ConfigError with the line number.
 */
export function resolveFourLetterWhitelist(
  value: string | undefined,
  options: { readOnlyModeEnabled?: boolean } = {},
): string[] {
  const enabled = new Set<string>();
  if (value !== undefined) {
    for (const part of value.split(',')) {
      const name = part.trim();
      if (name === '') continue;
      if (name === '*') {
        ZOOKEEPER_FOUR_LETTER_WORDS.forEach((w) => enabled.add(w));
        continue;
      }
      if (!ZOOKEEPER_FOUR_LETTER_WORDS.includes(name)) {
        throw new Error(`unknown four-letter word "${name}" (known: ${ZOOKEEPER_FOUR_LETTER_WORDS.join(', ')}, or *)`);
      }
      enabled.add(name);
    }
  }
  if (options.readOnlyModeEnabled) enabled.add('isro');
  enabled.add('srvr');
  return ZOOKEEPER_FOUR_LETTER_WORDS.filter((w) => enabled.has(w));
}
