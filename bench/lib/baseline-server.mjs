// The floor of the platform: a bare node:http server that reads each request and answers a fixed JSON
// body with the same status, headers and byte count as Tessera's GetSecretValue answer (captured by the
// benchmark and passed in as a file). No routing, parsing, signing or storage.
//
// Usage: node baseline-server.mjs <response.json>   where response.json = { body, headers, keepAliveTimeoutMs }
// Prints "listening <port>" once ready.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const body = Buffer.from(spec.body, 'utf8');
const headers = { ...spec.headers, 'content-length': String(body.length) };

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, headers);
    response.end(body);
  });
});
// The same keep-alive settings Tessera's server announces.
server.keepAliveTimeout = spec.keepAliveTimeoutMs;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
