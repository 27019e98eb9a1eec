#!/usr/bin/env node
// A wallet nobody here wrote (secretjs 1.22.1's Wallet) signing secret-mcp's signing requests, for
// tests/signing. One JSON command per stdin line, one JSON answer per stdout line:
//   {"op": "pubkey"}                                   -> {"pub_key": {type, value}}
//   {"op": "direct", "doc": <request sign_doc.direct>} -> {"signed": <doc>, "signature": {pub_key, signature}}
//   {"op": "amino", "doc": <request sign_doc.amino>}   -> {"signed": <StdSignDoc>, "signature": {...}}
//   {"op": "txraw", "mode": "direct", "doc": <direct>} -> {"tx_bytes": b64}  (TxRaw with secretjs' encoder)
//   {"op": "txraw", "mode": "amino", "doc": <amino>, "body_bytes": b64}
//        -> {"tx_bytes": b64}  (auth info built here in LEGACY_AMINO_JSON mode from the StdSignDoc's fee/sequence)
// The mnemonic is the first argument.
import { createInterface } from "node:readline";
import { Wallet } from "secretjs";
import { AuthInfo, TxRaw } from "secretjs/dist/protobuf/cosmos/tx/v1beta1/tx.js";
import { PubKey } from "secretjs/dist/protobuf/cosmos/crypto/secp256k1/keys.js";

const wallet = new Wallet(process.argv[2]);
const b64 = (bytes) => Buffer.from(bytes).toString("base64");
const unb64 = (text) => new Uint8Array(Buffer.from(text, "base64"));

function directDoc(doc) {
  return {
    bodyBytes: unb64(doc.body_bytes), authInfoBytes: unb64(doc.auth_info_bytes), chainId: doc.chain_id,
    accountNumber: BigInt(doc.account_number),
  };
}

async function handle(cmd) {
  if (cmd.op === "pubkey") return { pub_key: { type: "tendermint/PubKeySecp256k1", value: b64(wallet.publicKey) } };
  if (cmd.op === "direct") {
    const out = await wallet.signDirect(wallet.address, directDoc(cmd.doc));
    return { signed: cmd.doc, signature: out.signature };
  }
  if (cmd.op === "amino") {
    const out = await wallet.signAmino(wallet.address, cmd.doc);
    return { signed: out.signed, signature: out.signature };
  }
  if (cmd.op === "txraw" && cmd.mode === "direct") {
    const out = await wallet.signDirect(wallet.address, directDoc(cmd.doc));
    const raw = TxRaw.encode({
      body_bytes: unb64(cmd.doc.body_bytes), auth_info_bytes: unb64(cmd.doc.auth_info_bytes),
      signatures: [unb64(out.signature.signature)],
    }).finish();
    return { tx_bytes: b64(raw) };
  }
  if (cmd.op === "txraw" && cmd.mode === "amino") {
    const out = await wallet.signAmino(wallet.address, cmd.doc);
    const auth = AuthInfo.encode({
      signer_infos: [{
        public_key: { type_url: "/cosmos.crypto.secp256k1.PubKey", value: PubKey.encode({ key: wallet.publicKey }).finish() },
        mode_info: { single: { mode: 127 } }, // SIGN_MODE_LEGACY_AMINO_JSON
        sequence: cmd.doc.sequence,
      }],
      fee: { amount: cmd.doc.fee.amount, gas_limit: cmd.doc.fee.gas, payer: "", granter: "" },
    }).finish();
    const raw = TxRaw.encode({
      body_bytes: unb64(cmd.body_bytes), auth_info_bytes: auth, signatures: [unb64(out.signature.signature)],
    }).finish();
    return { tx_bytes: b64(raw) };
  }
  throw new Error(`unknown command ${cmd.op}`);
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    answer = await handle(JSON.parse(line));
  } catch (err) {
    answer = { error: String(err && err.message ? err.message : err) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
