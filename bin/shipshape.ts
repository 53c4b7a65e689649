#!/usr/bin/env node
import { defaultContext, main } from '../lib/cli';

main(process.argv.slice(2), defaultContext(), (line) => process.stderr.write(`${line}\n`)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`shipshape: ${String(error)}\n`);
    process.exit(1);
  },
);
