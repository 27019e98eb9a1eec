#!/usr/bin/env node
// TEST ONLY: secretjs 1.22.1's Wallet (a client nobody here wrote) behind the test wallet that tests/browser
// injects into the signing page. One process serves every wallet of a test module (keyed by mnemonic).
// One JSON command per stdin line, one JSON answer per stdout line:
//   {"mnemonic", "op": "key"}                      -> {"address", "pub_key": b64}
//   {"mnemonic", "op": "amino", "doc": StdSignDoc} -> {"signed", "signature": {pub_key, signature}}
//   {"mnemonic", "op": "direct", "doc": {body_bytes, auth_info_bytes, chain_id, account_number}}
//                                                  -> {"signed": <doc as given>, "signature": {...}}
import { createInterface } from "node:readline";
import { Wallet } from "secretjs";

const wallets = new Map();
const b64 = (bytes) => Buffer.from(bytes).toString("base64");
const unb64 = (text) => new Uint8Array(Buffer.from(text, "base64"));

function walletOf(mnemonic) {
  if (!wallets.has(mnemonic)) wallets.set(mnemonic, new Wallet(mnemonic));
  return wallets.get(mnemonic);
}

async function handle(cmd) {
  const wallet = walletOf(cmd.mnemonic);
  if (cmd.op === "key") return { address: wallet.address, pub_key: b64(wallet.publicKey) };
  if (cmd.op === "amino") {
    const out = await wallet.signAmino(wallet.address, cmd.doc);
    return { signed: out.signed, signature: out.signature };
  }
  if (cmd.op === "direct") {
    const doc = cmd.doc;
    const out = await wallet.signDirect(wallet.address, {
      bodyBytes: unb64(doc.body_bytes), authInfoBytes: unb64(doc.auth_info_bytes), chainId: doc.chain_id,
      accountNumber: BigInt(doc.account_number),
    });
    return { signed: doc, signature: out.signature };
  }
  throw new Error(`unknown op ${cmd.op}`);
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  let answer;
  try {
    answer = await handle(JSON.parse(line));
  } catch (err) {
    answer = { error: String(err && err.message ? err.message : err) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
