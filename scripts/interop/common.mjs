// Shared by the client drivers: arguments, the server's public key, the result line.
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/// The driver's arguments (all given by scripts/interop/run).
export function args() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string' }, // DC 1's port; DC i is on port + i - 1
      dc: { type: 'string', default: '2' },
      'public-key': { type: 'string' }, // PEM (PKCS#1) written by `telepp serve --public-key-out`
      fingerprint: { type: 'string' }, // hex, as printed on the server's `ready` line
      transport: { type: 'string' },
      token: { type: 'string' },
      'proxy-secret': { type: 'string' }, // the server's --proxy-secret (hex), for MTProxy transports
      'api-id': { type: 'string', default: '12345' },
      'api-hash': { type: 'string', default: '0123456789abcdef0123456789abcdef' },
      verbose: { type: 'boolean', default: false },
    },
  });
  for (const required of ['port', 'public-key', 'fingerprint', 'transport', 'token']) {
    if (!values[required]) throw new Error(`missing --${required}`);
  }
  return {
    host: values.host,
    basePort: Number(values.port),
    dc: Number(values.dc),
    publicKeyPem: readFileSync(values['public-key'], 'utf8'),
    fingerprint: values.fingerprint.toLowerCase(),
    transport: values.transport,
    token: values.token,
    proxySecret: values['proxy-secret'],
    botId: BigInt(values.token.split(':')[0]),
    apiId: Number(values['api-id']),
    apiHash: values['api-hash'],
    verbose: values.verbose,
  };
}

export const portOf = (a, dc) => a.basePort + dc - 1;

/// n and e of a PEM public key, as hex.
export function rsaHex(pem) {
  const jwk = createPublicKey(pem).export({ format: 'jwk' });
  const hex = (b64url) => Buffer.from(b64url, 'base64url').toString('hex');
  return { n: hex(jwk.n), e: hex(jwk.e) };
}

/// Checks that users.getUsers([inputUserSelf]) named the bot we logged in as; throws otherwise.
export function checkSelf(user, botId) {
  const id = BigInt(user.id.toString());
  if (id !== botId) throw new Error(`users.getUsers returned id ${id}, expected ${botId}`);
  if (!user.self) throw new Error('users.getUsers: the returned user lacks flags.self');
  if (!user.bot) throw new Error('users.getUsers: the returned user lacks flags.bot');
}

/// Prints the one result line run reads, and exits.
export function finish(result) {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  process.exit(result.ok ? 0 : 1);
}

/// Runs `body`, turning a throw or a time-out into a failed result line.
export async function drive(body, timeoutMs = 30000) {
  const started = Date.now();
  const timer = setTimeout(() => finish({ ok: false, error: `timed out after ${timeoutMs} ms` }), timeoutMs);
  try {
    const detail = await body();
    clearTimeout(timer);
    finish({ ok: true, ms: Date.now() - started, ...detail });
  } catch (e) {
    clearTimeout(timer);
    finish({ ok: false, ms: Date.now() - started, error: String(e?.stack ?? e) });
  }
}
