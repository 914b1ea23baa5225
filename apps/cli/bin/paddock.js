#!/usr/bin/env -S node --min-semi-space-size=32 --max-semi-space-size=32 ${PADDOCK_NODE_OPTIONS}
// 32 MB semi-spaces (young generation) from the start: V8's default starts at 1 MB and grows towards
// 16 MB only as objects survive, so the server's short-lived request garbage costs many more
// scavenges (measured under `paddock bench`: about 4x fewer minor GCs, less GC time and CPU/op).
// Set in the shebang because V8 heap flags only apply at process start (no re-exec, no child
// process; npm links bins as symlinks on Linux, so `npx paddock` runs it). NODE_OPTIONS cannot override
// them (command-line flags win); PADDOCK_NODE_OPTIONS can: it is appended as ONE extra node flag
// (env -S does not split it), e.g. PADDOCK_NODE_OPTIONS=--max-semi-space-size=16. For several
// flags run `node <flags> path/to/paddock.js` directly. The bench reads these flags from this line.
import { main } from '../dist/main.js';

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.message : String(err)); process.exitCode = 1; },
);
