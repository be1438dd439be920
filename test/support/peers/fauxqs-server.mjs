// Starts fauxqs (S3, SNS and SQS) on 127.0.0.1 at a free port and prints
// {"port": N}. fauxqs is ESM only, so the CommonJS tests run it as a child
// process; SIGTERM stops it.
import { startFauxqs } from 'fauxqs';

const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.on('SIGTERM', () => {
  server.stop().finally(() => process.exit(0));
});
