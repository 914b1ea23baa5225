#!/usr/bin/env node
// The built API (npm run build first): node apps/api/dist/main.js
await import('../dist/main.js');
