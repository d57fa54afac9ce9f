// Preloaded into the language server by bench/lsp.mjs when BENCH_SERVER_STDOUT is set: the protocol goes over
// file descriptor 3, which leaves the process's own stdout to what V8 prints there (--trace-gc, --trace-gc-nvp,
// --trace-pretenuring …) without corrupting the messages.
const net = require('node:net');

const protocol = new net.Socket({ fd: 3, readable: false, writable: true });
Object.defineProperty(process, 'stdout', { get: () => protocol, configurable: true });
