#!/usr/bin/env node
// Thin launcher: the command line lives in dist/src/cli (built by `npm run build`).
import { main } from '../dist/src/cli/main.js';

await main(process.argv.slice(2));
