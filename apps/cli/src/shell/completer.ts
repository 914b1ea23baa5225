/**
 * Tab completion like zkCli's JLineZNodeCompleter: the word under the cursor is a znode path when it starts
 * with "/" (completed from the children of its parent), otherwise a command name.
 */

/** What node:readline's completer yields: the candidates and the part of the line they complete. */
export type Completion = [candidates: string[], substring: string];

/**
 * `buffer` is the line up to the cursor. `listChildren` lists a znode's children (it may throw: then there is
 * nothing to offer). The candidates are child names (as JLine lists them), `substring` the last path segment.
 */
export async function completeLine(
  buffer: string,
  commands: readonly string[],
  listChildren: (path: string) => Promise<string[]>,
): Promise<Completion> {
  let token = '';
  if (!buffer.endsWith(' ')) {
    const tokens = buffer.split(' ');
    token = tokens[tokens.length - 1] ?? '';
  }
  if (token.startsWith('/')) {
    const idx = token.lastIndexOf('/') + 1;
    const prefix = token.slice(idx);
    // only the root may end in "/"
    const dir = idx === 1 ? '/' : token.slice(0, idx - 1);
    let children: string[];
    try {
      children = await listChildren(dir);
    } catch {
      return [[], prefix];
    }
    return [children.filter((c) => c.startsWith(prefix)).sort(), prefix];
  }
  return [[...commands].sort().filter((c) => c.startsWith(token)), token];
}
