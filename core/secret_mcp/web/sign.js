// The wallet signing page (issue 17). It reads the request from the loopback server that served it, shows
// the review, asks the person's wallet (Keplr or Leap, both expose the Keplr API) to sign the exact sign doc,
// and posts the signature back; the server checks it and broadcasts. Everything comes from this origin.
import { renderReview } from "/static/review.js";

const $ = (id) => document.getElementById(id);
const path = window.location.pathname.replace(/\/+$/, "");
const token = new URLSearchParams(window.location.search).get("t") || "";
const url = (suffix) => `${path}/${suffix}?t=${encodeURIComponent(token)}`;
// Keplr ships secret-4 in its own registry; any other chain (the sandbox, pulsar, a custom one) is suggested.
const KNOWN_CHAINS = new Set(["secret-4"]);
// Keplr and Leap may offer to change the fee or memo; the server would refuse the result, so they must not.
const SIGN_OPTIONS = { preferNoSetFee: true, preferNoSetMemo: true, disableBalanceCheck: true };
// Server answers after which this request can never be signed again.
const FINAL_CODES = new Set(["SIGNING_REQUEST_USED", "SIGNING_REQUEST_EXPIRED"]);
// Wallets put their object on window when they load; give them a moment before saying there is none.
const WALLET_WAIT_MS = 1500;

let request = null;
let busy = false;
let finished = false;

function show(id, on = true) { $(id).classList.toggle("hidden", !on); }

function setButtons(enabled) {
  for (const id of ["sign", "approve", "decline"]) $(id).disabled = !enabled;
}

/** The outcome box: a title line plus optional details, all as text. */
function outcome(kind, title, details = []) {
  const box = $("outcome");
  box.className = `notice ${kind}`;
  box.replaceChildren();
  const strong = document.createElement("strong");
  strong.textContent = title;
  box.append(strong);
  for (const d of details) box.append(d);
  box.dataset.kind = kind;
}

function textLine(label, value, cls) {
  const div = document.createElement("div");
  div.append(`${label}: `);
  const code = document.createElement("code");
  code.textContent = String(value);
  if (cls) code.className = cls;
  div.append(code);
  return div;
}

function showError(err) {
  const e = (err && err.error) || err || {};
  const details = [];
  if (e.code) details.push(textLine("Code", e.code, "error-code"));
  const msg = document.createElement("div");
  msg.className = "error-message";
  msg.textContent = e.message || String(err);
  details.push(msg);
  if (Array.isArray(e.suggestions) && e.suggestions.length) {
    const ul = document.createElement("ul");
    for (const s of e.suggestions) {
      const li = document.createElement("li");
      li.textContent = s;
      ul.append(li);
    }
    details.push(ul);
  }
  outcome("bad", "Not sent", details);
}

function showResult(res) {
  const included = res.status === "included";
  const details = [textLine("Status", res.status, "tx-status")];
  if (res.txhash) details.push(textLine("Transaction hash", res.txhash, "txhash"));
  if (res.height) details.push(textLine("Block height", res.height, "height"));
  if (res.error) {
    const why = document.createElement("div");
    why.className = "error-message";
    why.textContent = `${res.error.code ? `${res.error.code}: ` : ""}${res.error.message || ""}`;
    details.push(why);
  }
  if (res.result !== undefined && res.result !== null) {
    if (res.result.summary) details.push(textLine("Summary", res.result.summary, "tx-summary"));
    // The tool's whole result (events, decrypted contract answers) folded away: it is long.
    const more = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "Full result (JSON)";
    const pre = document.createElement("pre");
    pre.className = "tx-result";
    pre.textContent = JSON.stringify(res.result, null, 2);
    more.append(summary, pre);
    details.push(more);
  }
  const title = {
    included: "Included in a block",
    failed: "Included, but the transaction failed",
    declined: "Declined: nothing was sent",
  }[res.status] || `Status: ${res.status}`;
  outcome(included || res.status === "declined" ? "ok" : "bad", title, details);
}

async function post(suffix, body) {
  const resp = await fetch(url(suffix), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body || {}),
    cache: "no-store",
    credentials: "omit",
  });
  let data = null;
  try { data = await resp.json(); } catch { data = null; }
  // 422: broadcast and included, but failed on chain: an outcome with a txhash, not a refusal.
  if (data && data.status === "failed" && data.txhash) return data;
  if (!resp.ok || (data && data.error)) {
    throw (data && data.error) ? data : { code: `HTTP_${resp.status}`, message: `The server answered ${resp.status}.` };
  }
  return data;
}

/** Runs one action with the buttons off; the request is single use, so a success ends the page. */
async function act(fn) {
  if (busy || finished) return;
  busy = true;
  setButtons(false);
  outcome("info", "Working…");
  try {
    const res = await fn();
    finished = true;
    $("expiry").textContent = "";  // answered: the clock no longer matters
    showResult(res);
  } catch (err) {
    showError(err);
    // A refusal of the signed tx leaves the request open (sign again); a used or expired one is over.
    const code = ((err && err.error) || err || {}).code;
    if (FINAL_CODES.has(code)) finished = true;
    if (!finished) setButtons(!expired());
  } finally {
    busy = false;
  }
}

// ---------------------------------------------------------------- wallets

function wallets() {
  const found = [];
  if (window.keplr) found.push({ id: "keplr", name: "Keplr", api: window.keplr });
  if (window.leap) found.push({ id: "leap", name: "Leap", api: window.leap });
  return found;
}

function chainInfo(chain) {
  const p = chain.bech32_prefix || "secret";
  const currency = { coinDenom: chain.display_denom || "SCRT", coinMinimalDenom: chain.denom || "uscrt", coinDecimals: chain.decimals ?? 6 };
  const price = Number(chain.gas_price || "0.1");
  return {
    chainId: chain.chain_id,
    chainName: chain.chain_name || chain.chain_id,
    rpc: chain.rpc || chain.rest,
    rest: chain.rest,
    bip44: { coinType: 529 },
    bech32Config: {
      bech32PrefixAccAddr: p, bech32PrefixAccPub: `${p}pub`, bech32PrefixValAddr: `${p}valoper`,
      bech32PrefixValPub: `${p}valoperpub`, bech32PrefixConsAddr: `${p}valcons`, bech32PrefixConsPub: `${p}valconspub`,
    },
    currencies: [currency],
    feeCurrencies: [{ ...currency, gasPriceStep: { low: price, average: price, high: price } }],
    stakeCurrency: currency,
    features: ["secretwasm"],
  };
}

async function connect(api, chain) {
  if (!KNOWN_CHAINS.has(chain.chain_id)) await api.experimentalSuggestChain(chainInfo(chain));
  try {
    await api.enable(chain.chain_id);
  } catch (err) {
    if (KNOWN_CHAINS.has(chain.chain_id)) {
      await api.experimentalSuggestChain(chainInfo(chain));
      await api.enable(chain.chain_id);
    } else {
      throw err;
    }
  }
  // The fee and memo are part of what the server checks: the wallet must not replace them.
  api.defaultOptions = { sign: SIGN_OPTIONS };
}

function b64decode(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function b64encode(bytes) {
  let bin = "";
  const arr = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  for (let i = 0; i < arr.length; i++) bin += String.fromCharCode(arr[i]);
  return btoa(bin);
}

async function signWith(wallet, mode) {
  const chain = request.chain;
  const signer = request.signer.address;
  const api = wallet.api;
  await connect(api, chain);
  const key = await api.getKey(chain.chain_id);
  if (key.bech32Address !== signer) {
    throw { code: "WRONG_ACCOUNT",
      message: `${wallet.name}'s account ${key.bech32Address} is not the signer of this request (${signer}).`,
      suggestions: [`Switch to the account ${signer} in ${wallet.name}, then sign again.`] };
  }
  if (mode === "amino") {
    const offline = api.getOfflineSignerOnlyAmino(chain.chain_id, SIGN_OPTIONS);
    const res = await offline.signAmino(signer, request.sign_doc.amino);
    return { mode: "amino", signed: res.signed, signature: res.signature };
  }
  let doc = request.sign_doc.direct;
  if (!request.signer.pub_key) {
    // The chain holds no key for this account yet: the signed auth info must carry the wallet's own.
    request = await post("pubkey", { pub_key: { type: "tendermint/PubKeySecp256k1", value: b64encode(key.pubKey) } });
    $("review").replaceChildren(renderReview(request.review));  // the digest changed with the auth info
    doc = request.sign_doc.direct;
  }
  const res = await api.signDirect(chain.chain_id, signer, {
    bodyBytes: b64decode(doc.body_bytes),
    authInfoBytes: b64decode(doc.auth_info_bytes),
    chainId: doc.chain_id,
    // Keplr takes a Long and reads it with toString(); a decimal string reads the same.
    accountNumber: String(doc.account_number),
  }, SIGN_OPTIONS);
  return {
    mode: "direct",
    signed: {
      body_bytes: b64encode(res.signed.bodyBytes),
      auth_info_bytes: b64encode(res.signed.authInfoBytes),
      chain_id: res.signed.chainId,
      account_number: String(res.signed.accountNumber),
    },
    signature: res.signature,
  };
}

function walletError(err) {
  if (err && (err.code || err.error)) return err;
  const text = (err && err.message) || String(err);
  return { code: "WALLET_ERROR", message: `The wallet did not sign: ${text}`,
    suggestions: ["Nothing was sent. Sign again, or decline in the wallet to leave it."] };
}

async function setUpWallet() {
  show("wallet-panel");
  $("signer").textContent = request.signer.address;
  if (!request.sign_doc.amino) {
    // A message with no amino form (the server offers none): direct is the only way to sign it.
    const amino = document.querySelector("input[name=sign-mode][value=amino]");
    amino.disabled = true;
    document.querySelector("input[name=sign-mode][value=direct]").checked = true;
    amino.parentElement.append(" — not available for this transaction");
  }
  let found = wallets();
  if (!found.length) {
    await new Promise((resolve) => setTimeout(resolve, WALLET_WAIT_MS));
    found = wallets();
  }
  const choice = $("wallet-choice");
  if (!found.length) {
    const p = document.createElement("p");
    p.id = "no-wallet";
    p.textContent = "No Keplr or Leap wallet in this browser. Install one, or sign elsewhere and hand the "
      + "signed transaction to secret_submit_signed_transaction.";
    choice.append(p);
    $("sign").disabled = true;
    return;
  }
  found.forEach((w, i) => {
    const label = document.createElement("label");
    label.className = "choice";
    const input = document.createElement("input");
    Object.assign(input, { type: "radio", name: "wallet", value: w.id, checked: i === 0 });
    label.append(input, ` ${w.name}`);
    choice.append(label);
  });
  const selected = () => found.find((w) => w.id === document.querySelector("input[name=wallet]:checked").value);
  const label = () => { $("sign").textContent = `Sign with ${selected().name}`; };
  choice.addEventListener("change", label);
  label();
  $("sign").addEventListener("click", () => act(async () => {
    const mode = document.querySelector("input[name=sign-mode]:checked").value;
    let body;
    try {
      body = await signWith(selected(), mode);
    } catch (err) {
      throw walletError(err);
    }
    outcome("info", "Signed; the server checks and broadcasts it…");
    return post("signed", body);
  }));
}

function setUpApprove() {
  show("approve-panel");
  $("approve").addEventListener("click", () => act(() => post("approve")));
  $("decline").addEventListener("click", () => act(async () => {
    const res = await post("decline");
    return { ...res, status: res.status || "declined" };
  }));
}

// ---------------------------------------------------------------- expiry

function expired() {
  return request && Date.parse(request.expires_at) <= Date.now();
}

function tick() {
  if (!request || finished) return;
  const left = Math.max(0, Math.floor((Date.parse(request.expires_at) - Date.now()) / 1000));
  $("expiry").textContent = left <= 0 ? "expired"
    : left >= 3600 ? `expires ${new Date(request.expires_at).toLocaleString()}`
      : `expires in ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
  if (left <= 0 && !busy) {
    setButtons(false);
    finished = true;
    outcome("bad", "This request has expired: nothing was sent.", []);
  }
}

// ---------------------------------------------------------------- start

async function start() {
  let resp;
  try {
    resp = await fetch(url("request"), { cache: "no-store", credentials: "omit" });
  } catch (err) {
    show("loading", false);
    return outcome("bad", "The secret-mcp server is not reachable (it may have stopped).", []);
  }
  show("loading", false);
  if (!resp.ok) {
    return outcome("bad", "No such signing request: the link is wrong or the request is gone.", []);
  }
  request = await resp.json();
  document.body.dataset.mode = request.mode;
  $("title").textContent = request.mode === "approve" ? "approve a transaction" : "sign a transaction";
  $("review").replaceChildren(renderReview(request.review));
  if (request.status !== "awaiting_signature") {
    finished = true;
    if (request.answer && !request.answer.error) return showResult(request.answer);  // reloaded after the end
    const title = { expired: "This request has expired: nothing was sent." }[request.status]
      || `This request is already ${request.status}.`;
    return outcome(request.status === "included" ? "ok" : "bad", title, [textLine("Status", request.status, "tx-status")]);
  }
  if (request.mode === "approve") setUpApprove();
  else await setUpWallet();
  tick();
  setInterval(tick, 1000);
}

start();
