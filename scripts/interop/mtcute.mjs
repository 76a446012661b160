// mtcute (npm `@mtcute/node`, layer 227) against `telepp serve`: connect (handshake, then
// invokeWithLayer(initConnection(...)) around the first call), auth.importBotAuthorization,
// users.getUsers([inputUserSelf]). One transport per run; prints a RESULT line (common.mjs).
import {
  IntermediatePacketCodec,
  MemoryStorage,
  ObfuscatedPacketCodec,
  PaddedIntermediatePacketCodec,
  TcpTransport,
  TelegramClient,
} from '@mtcute/node';
import { findKeyByFingerprints } from '@mtcute/node/utils.js';

import { args, checkSelf, drive, portOf, rsaHex } from './common.mjs';

const a = args();

// QUIRK: mtcute keeps server keys in an index keyed by the fingerprint as 16 hex digits, but
// looks them up with Long.toString(16), which drops leading zeros (1 key in 16 has one). Its
// addPublicKey() only writes the 16-digit spelling, so write the index ourselves, both spellings.
// (The index is the module tl/binary/rsa-keys.js of @mtcute/core: the same instance the client
// imports, since ES modules are cached by URL.)
const core = import.meta.resolve('@mtcute/core');
const { __publicKeyIndex: keyIndex } = await import(new URL('./tl/binary/rsa-keys.js', core).href);
const { n, e } = rsaHex(a.publicKeyPem);
const entry = { modulus: n, exponent: e, fingerprint: a.fingerprint, old: false };
keyIndex[a.fingerprint] = entry;
keyIndex[a.fingerprint.replace(/^0+(?=.)/, '')] = entry;
if (findKeyByFingerprints([a.fingerprint.replace(/^0+(?=.)/, '')]) !== entry) {
  throw new Error('could not register the server key with mtcute');
}

// The layer mtcute sends in invokeWithLayer (the package does not export it).
const { LAYER } = await import(new URL('./tl/inner-tl.js', core).href);

// NOTE: mtcute writes msgs_ack as content-related (odd seqno), which the spec says it is not. The
// server tolerates it as Telegram does (a strict bad_msg_notification 34 makes mtcute reset its
// session and resend forever), so nothing is patched here: this run checks that tolerance.

// mtcute 0.30.3 has no abridged codec; its TCP transport takes any of these packet codecs.
const codecs = {
  intermediate: () => new IntermediatePacketCodec(),
  padded: () => new PaddedIntermediatePacketCodec(),
  obfuscated: () => new ObfuscatedPacketCodec(new IntermediatePacketCodec()),
  'obfuscated-padded': () => new ObfuscatedPacketCodec(new PaddedIntermediatePacketCodec()),
};
const codec = codecs[a.transport];
if (!codec) throw new Error(`mtcute has no transport "${a.transport}" (known: ${Object.keys(codecs)})`);
class Tcp extends TcpTransport {
  packetCodec() {
    return codec();
  }
}

await drive(async () => {
  const dc = { id: a.dc, ipAddress: a.host, port: portOf(a, a.dc) };
  const tg = new TelegramClient({
    apiId: a.apiId,
    apiHash: a.apiHash,
    storage: new MemoryStorage(), // the default is SQLite through a native addon we do not build
    transport: new Tcp(),
    defaultDcs: { main: dc, media: dc },
    updates: false, // no updates manager: the path under test is login and users.getUsers
    logLevel: a.verbose ? 5 : 0,
    initConnectionOptions: { deviceModel: 'telepp interop', systemVersion: `node ${process.version}`, appVersion: '1.0' },
  });
  try {
    const me = await tg.signInBot(a.token);
    const users = await tg.call({ _: 'users.getUsers', id: [{ _: 'inputUserSelf' }] });
    if (users.length !== 1) throw new Error(`users.getUsers returned ${users.length} users`);
    if (users[0]._ !== 'user') throw new Error(`users.getUsers returned ${users[0]._}`);
    checkSelf(users[0], a.botId);
    checkSelf({ id: me.id, self: me.isSelf, bot: me.isBot }, a.botId);
    return { layer: LAYER, dc: await tg.getPrimaryDcId(), user: { _: users[0]._, id: users[0].id } };
  } finally {
    await tg.destroy().catch(() => {});
  }
});
