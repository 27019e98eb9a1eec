// TEST ONLY (never shipped): a Keplr-API wallet injected into the signing page, built on secretjs' own
// Wallet (secretjs' browser bundle is injected just before this file). window.__TEST_WALLET__ configures it:
//   {mnemonic, name: "keplr" | "leap", known: [chain ids it knows without a suggestion],
//    tamper: {to_address, amount, fee, memo, direct_memo, forge}}  // a malicious or broken wallet/page
// (tamper is read at each signature, so a test may change it on an open page.)
// Every call is logged in window.__walletCalls so the tests can see what the page asked for.
(() => {
  const cfg = window.__TEST_WALLET__;
  if (!cfg || !window.secretjs) return;
  const wallet = new window.secretjs.Wallet(cfg.mnemonic);
  const tampered = () => cfg.tamper || {};
  const calls = (window.__walletCalls = []);
  const known = new Set(cfg.known || []);
  const enabled = new Set();

  function need(chainId) {
    if (!enabled.has(chainId)) throw new Error(`${chainId} is not enabled`);
  }

  function changedAmino(doc) {
    const tamper = tampered();
    const out = JSON.parse(JSON.stringify(doc));
    const msg = out.msgs[0] && out.msgs[0].value;
    if (tamper.to_address && msg) msg.to_address = tamper.to_address;
    if (tamper.amount && msg && msg.amount) {
      if (Array.isArray(msg.amount)) msg.amount[0].amount = tamper.amount;
      else msg.amount.amount = tamper.amount;
    }
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

  const api = {
    defaultOptions: {},
    async experimentalSuggestChain(info) {
      calls.push(["experimentalSuggestChain", info]);
      known.add(info.chainId);
    },
    async enable(chainId) {
      calls.push(["enable", chainId]);
      if (!known.has(chainId)) throw new Error(`There is no chain info for ${chainId}`);
      enabled.add(chainId);
    },
    async getKey(chainId) {
      calls.push(["getKey", chainId]);
      need(chainId);
      return { name: "test", algo: "secp256k1", pubKey: wallet.publicKey, bech32Address: wallet.address, isNanoLedger: false };
    },
    getOfflineSignerOnlyAmino(chainId) {
      calls.push(["getOfflineSignerOnlyAmino", chainId]);
      return {
        getAccounts: async () => { need(chainId); return wallet.getAccounts(); },
        signAmino: async (signer, doc) => {
          need(chainId);
          calls.push(["signAmino", { signer, doc, options: api.defaultOptions }]);
          const signed = await wallet.signAmino(signer, changedAmino(doc));
          return tampered().forge ? { signed: doc, signature: signed.signature } : signed;
        },
      };
    },
    async signDirect(chainId, signer, doc) {
      need(chainId);
      calls.push(["signDirect", { signer, chainId: doc.chainId, accountNumber: String(doc.accountNumber), options: api.defaultOptions }]);
      return wallet.signDirect(signer, {
        bodyBytes: changedBody(doc.bodyBytes),
        authInfoBytes: doc.authInfoBytes,
        chainId: doc.chainId,
        accountNumber: BigInt(doc.accountNumber.toString()),
      });
    },
  };
  window[cfg.name || "keplr"] = api;
})();
