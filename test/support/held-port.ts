import { createServer, type AddressInfo } from 'node:net';

/** A loopback port another "process" holds (a listener of the test's own), for the port-in-use paths. */
export async function holdPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
  const port = (taken.address() as AddressInfo).port;
  return { port, release: () => new Promise<void>((r) => taken.close(() => r())) };
}
