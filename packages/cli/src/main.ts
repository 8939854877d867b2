#!/usr/bin/env node
/** Process entry of the `tessera` command. */
import { main } from './cli.js';
import { processIo } from './io.js';

// `tessera kms ListSecrets | head -1`: a reader that stops early is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const status = await main(process.argv.slice(2), processIo());
if (status !== 'detached') {
  // Exit as soon as the output is out: fetch keeps its idle connection open for a while, and the
  // stdin a command did not read would otherwise keep the process waiting too.
  await new Promise((resolve) => process.stdout.write('', resolve));
  await new Promise((resolve) => process.stderr.write('', resolve));
  process.exit(status);
}
