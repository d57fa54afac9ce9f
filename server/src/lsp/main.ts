// Entry point of the language server: `node dist/server.js --stdio` (what the extension starts; any editor),
// or --node-ipc / --socket=N / --pipe=NAME.
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, type Connection } from 'vscode-languageserver/node';
import { inspect } from 'node:util';
import { MessageEncoder } from './messageEncoding';
import { disablePretenuring, limitInlining } from '../v8Flags';
import { startServer } from './server';

disablePretenuring(); // see v8Flags.ts
limitInlining();

function stdioConnection(): Connection {
  // Built here rather than by createConnection's own --stdio handling, to write with MessageEncoder (large
  // publishDiagnostics cost a fraction); what that handling also does is repeated below.
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout, { contentTypeEncoder: new MessageEncoder() }));
  // stdout carries the protocol: anything printed goes to the client's log instead
  const log = (kind: 'log' | 'info' | 'warn' | 'error') => (...args: unknown[]) => connection.console[kind](args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' '));
  console.log = log('log');
  console.debug = log('log');
  console.info = log('info');
  console.warn = log('warn');
  console.error = log('error');
  // the client went away: nothing is left to serve
  process.stdin.on('end', () => process.exit(shutdownReceived ? 0 : 1));
  return connection;
}

let shutdownReceived = false;
const stdio = process.argv.includes('--stdio');
const connection = stdio ? stdioConnection() : createConnection(ProposedFeatures.all);
// the server lets input that is still being read go before its queued analyses, and stops its typing rehearsal
// when input arrives (server.ts)
startServer(connection, stdio ? { onInput: (listener) => process.stdin.on('data', listener), rehearsePublishing: true } : {});
connection.onShutdown(() => {
  shutdownReceived = true;
});
connection.listen();

// the server must never die on a document: log stray errors instead of exiting
process.on('uncaughtException', (err) => connection.console.error(`MindPort: unexpected error: ${err.stack ?? err}`));
process.on('unhandledRejection', (err) => connection.console.error(`MindPort: unexpected rejection: ${(err as Error)?.stack ?? err}`));
