// Entry point of the language server: `node dist/server.js --stdio` (any editor) or node-ipc (VS Code).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);
startServer(connection);
connection.listen();

// the server must never die on a document: log stray errors instead of exiting
process.on('uncaughtException', (err) => connection.console.error(`MindPort: unexpected error: ${err.stack ?? err}`));
process.on('unhandledRejection', (err) => connection.console.error(`MindPort: unexpected rejection: ${(err as Error)?.stack ?? err}`));
