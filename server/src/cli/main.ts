#!/usr/bin/env node
// `mindport`: the command line on the same engine as the language server.
//   mindport scan PATH... [--format text|json|sarif] [--device D] [--ms-version V] [--target-api A]
//                         [--select CODES] [--ignore CODES] [--exit-zero] [--no-gitignore]
//   mindport explain API... [--json]
//   mindport fix PATH... [--unsafe] [--diff]   (--diff: show, do not write)
//   mindport hosts list | check NAME;  mindport run FILE --host NAME [...] [-- ARGS...]
import { runCli } from './commands';
import { limitInlining } from '../v8Flags';

limitInlining(); // see v8Flags.ts (the scan's worker threads too)

// `mindport scan . | head` closes the pipe early: stop quietly instead of printing a stack trace
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`mindport: internal error: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 70;
  },
);
