#!/usr/bin/env -S node --min-semi-space-size=32 --max-semi-space-size=32
// The same fixed young generation as the `paddock` server bin (the embedded store member's request garbage).
// The built API (npm run build first): node apps/api/dist/main.js
await import('../dist/main.js');
