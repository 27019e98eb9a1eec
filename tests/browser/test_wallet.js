// TEST ONLY (never shipped): a wallet with the Keplr API, injected into the signing page. It signs nothing
// itself: window.__walletBridge (playwright's expose_function) hands each doc to secretjs' Wallet in a node
// process (tests/secretjs/wallet_bridge.mjs). window.__TEST_WALLET__ configures it:
//   {address, pub_key (b64), name: "keplr" | "leap" | ["keplr", "leap"], known: [chain ids it knows already],
//    tamper: {to_address, amount, fee, memo, direct_memo, forge}}  // a malicious or broken wallet/page
// tamper is read at each signature, so a test may change it on an open page. Every call is logged in
// window.__walletCalls as [method, details, wallet name] so the tests can see what the page asked for.
(() => {
  const cfg = window.__TEST_WALLET__;
  if (!cfg) return;
  const calls = (window.__walletCalls = []);
  const tampered = () => cfg.tamper || {};

  const b64decode = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const b64encode = (bytes) => btoa(String.fromCharCode(...bytes));

  function changedAmino(doc) {
    const tamper = tampered();
    const out = JSON.parse(JSON.stringify(doc));
    const msg = out.msgs[0] && out.msgs[0].value;
    if (tamper.to_address && msg) msg.to_address = tamper.to_address;
    if (tamper.amount && msg && msg.amount) msg.amount[0].amount = tamper.amount;
    if (tamper.fee) out.fee.amount[0].amount = tamper.fee;
    if (tamper.memo !== undefined) out.memo = tamper.memo;
    return out;
  }

  function changedBody(bytes) {
    const tamper = tampered();
    if (tamper.direct_memo === undefined) return bytes;
    // TxBody field 2 (memo), appended: protobuf readers take a field wherever it stands.
    const memo = new TextEncoder().encode(tamper.direct_memo);
    const out = new Uint8Array(bytes.length + 2 + memo.length);
    out.set(bytes);
    out.set([0x12, memo.length], bytes.length);
    out.set(memo, bytes.length + 2);
    return out;
  }

  // One wallet object per name (Keplr, Leap), each with its own chains; both sign with the same key.
  function walletNamed(name) {
    const log = (method, details) => calls.push([method, details, name]);
    const known = new Set(cfg.known || []);
    const enabled = new Set();
    const need = (chainId) => {
      if (!enabled.has(chainId)) throw new Error(`${chainId} is not enabled`);
    };
    const api = {
      defaultOptions: {},
      async experimentalSuggestChain(info) {
        log("experimentalSuggestChain", info);
        known.add(info.chainId);
      },
      async enable(chainId) {
        log("enable", chainId);
        if (!known.has(chainId)) throw new Error(`There is no chain info for ${chainId}`);
        enabled.add(chainId);
      },
      async getKey(chainId) {
        log("getKey", chainId);
        need(chainId);
        return { name: "test", algo: "secp256k1", pubKey: b64decode(cfg.pub_key), bech32Address: cfg.address,
                 isNanoLedger: false };
      },
      getOfflineSignerOnlyAmino(chainId, signOptions) {
        log("getOfflineSignerOnlyAmino", { chainId, signOptions });
        return {
          getAccounts: async () => {
            need(chainId);
            return [{ address: cfg.address, algo: "secp256k1", pubkey: b64decode(cfg.pub_key) }];
          },
          signAmino: async (signer, doc) => {
            need(chainId);
            log("signAmino", { signer, doc, options: api.defaultOptions, signOptions });
            if (signer !== cfg.address) throw new Error(`Address ${signer} not found in wallet`);
            const signed = await window.__walletBridge("amino", changedAmino(doc));
            return tampered().forge ? { signed: doc, signature: signed.signature } : signed;
          },
        };
      },
      async signDirect(chainId, signer, doc, signOptions) {
        need(chainId);
        log("signDirect", { signer, chainId: doc.chainId, accountNumber: String(doc.accountNumber),
                            options: api.defaultOptions, signOptions });
        if (signer !== cfg.address) throw new Error(`Address ${signer} not found in wallet`);
        const out = await window.__walletBridge("direct", {
          body_bytes: b64encode(changedBody(doc.bodyBytes)), auth_info_bytes: b64encode(doc.authInfoBytes),
          chain_id: doc.chainId, account_number: String(doc.accountNumber),
        });
        return {
          signed: { bodyBytes: b64decode(out.signed.body_bytes), authInfoBytes: b64decode(out.signed.auth_info_bytes),
                    chainId: out.signed.chain_id, accountNumber: BigInt(out.signed.account_number) },
          signature: out.signature,
        };
      },
    };
    return api;
  }

  for (const name of [].concat(cfg.name || "keplr")) window[name] = walletNamed(name);
})();
