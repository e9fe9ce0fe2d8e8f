/**
 * The misbehaving receiver as its own process, so it outlives worker kills:
 * `node tools/reliability/dist/receiver-main.js [--port N] [--tls-port M] [--ledger file.jsonl]`.
 * Prints `{"port":N,"tlsPort":M}` on one stdout line once listening; exits 0 on SIGTERM or SIGINT.
 */
import { gzipBomb } from './gzip-bomb';
import { startReceiver } from './receiver';

interface Args {
  port: number;
  tlsPort: number;
  ledgerFile?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { port: 0, tlsPort: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    switch (flag) {
      case '--port':
        args.port = port(flag, value);
        break;
      case '--tls-port':
        args.tlsPort = port(flag, value);
        break;
      case '--ledger':
        args.ledgerFile = value;
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  return args;
}

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new Error(`${flag} must be a port number`);
  return n;
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`receiver: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const receiver = await startReceiver(args);
  // Made now, so the first /gzip-bomb request does not wait for it.
  await gzipBomb();
  const stop = (): void => {
    receiver.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${JSON.stringify({ port: receiver.port, tlsPort: receiver.tlsPort })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`receiver: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
