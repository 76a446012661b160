// gramjs (npm `telegram`, layer 198) against `telepp serve`: connect (handshake, then
// invokeWithLayer(initConnection(help.getConfig))), auth.importBotAuthorization,
// users.getUsers([inputUserSelf]). One transport per run; prints a RESULT line (common.mjs).
import { createRequire } from 'node:module';

import { args, checkSelf, drive, portOf, rsaHex } from './common.mjs';

const require = createRequire(import.meta.url);
const { TelegramClient, Api } = require('telegram');
const { MemorySession } = require('telegram/sessions');
const connections = require('telegram/network/connection');
const RSA = require('telegram/crypto/RSA');
const bigInt = require('big-integer');
const { LAYER } = require('telegram/tl/AllTLObjects');

const a = args();

// QUIRK: gramjs only knows Telegram's RSA keys (a Map in crypto/RSA.js keyed by the fingerprint
// as a *signed* decimal string, values {n: bigInt, e: number}); add the server's.
const { n, e } = rsaHex(a.publicKeyPem);
RSA._serverKeys.set(BigInt.asIntN(64, BigInt(`0x${a.fingerprint}`)).toString(), {
  n: bigInt(n, 16),
  e: Number.parseInt(e, 16),
});

const transports = {
  full: connections.ConnectionTCPFull,
  abridged: connections.ConnectionTCPAbridged,
  obfuscated: connections.ConnectionTCPObfuscated, // obfuscated2 around abridged
  // obfuscated2 keyed with an MTProxy secret, around abridged (gramjs has no padded variant, so
  // the server's secret is a plain 16-byte one: dd secrets force padded intermediate)
  mtproxy: require('telegram/network/connection/TCPMTProxy').ConnectionTCPMTProxyAbridged,
};
const Base = transports[a.transport];
if (!Base) throw new Error(`gramjs has no transport "${a.transport}" (known: ${Object.keys(transports)})`);

// QUIRK: TelegramClient.connect() dials port 80 (443 with WSS) whatever the session says, and
// getDC() answers 443 for every DC; pin the port from the DC id instead.
class Pinned extends Base {
  constructor(options) {
    const pinned = { ip: a.host, port: portOf(a, options.dcId) };
    // An MTProxy connection dials the proxy; here every DC's port is also the proxy.
    const proxy = a.transport === 'mtproxy' ? { ...pinned, secret: a.proxySecret, MTProxy: true } : options.proxy;
    super({ ...options, ...pinned, proxy });
  }
}

await drive(async () => {
  // QUIRK: StringSession.save() writes the port as a signed 16-bit integer and throws on ports
  // above 32767 (ephemeral ports usually are); MemorySession keeps nothing and cannot fail.
  const session = new MemorySession();
  session.setDC(a.dc, a.host, portOf(a, a.dc));
  const client = new TelegramClient(session, a.apiId, a.apiHash, {
    connection: Pinned,
    connectionRetries: 1,
    retryDelay: 100,
    autoReconnect: false,
    timeout: 10,
    deviceModel: 'telepp interop',
    systemVersion: `node ${process.version}`,
    appVersion: '1.0',
  });
  client.setLogLevel(a.verbose ? 'debug' : 'none');
  // NOTE: gramjs sends its first encrypted message with salt 0; the server answers
  // bad_server_salt and gramjs resends with the salt it was given.
  if (!(await client.connect())) throw new Error('connect() failed (handshake or initConnection)');
  const me = await client.signInBot({ apiId: a.apiId, apiHash: a.apiHash }, { botAuthToken: a.token });
  const users = await client.invoke(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] }));
  if (users.length !== 1) throw new Error(`users.getUsers returned ${users.length} users`);
  checkSelf(users[0], a.botId);
  checkSelf(me, a.botId);
  const result = { layer: LAYER, dc: client.session.dcId, user: { className: users[0].className, id: users[0].id.toString() } };
  await client.destroy().catch(() => {});
  return result;
});
