// Renders the review of a prepared plan (the dict of secret_mcp.tx.review.review_of) into DOM nodes.
//
// Every value goes in through textContent: memos, token symbols and plan lines are chain text, i.e. data
// written by strangers, never markup. No page specifics here (no fetch, no ids, no globals) so that any
// surface that shows a review (the wallet signing page, an MCP Apps card) renders the same facts.
// Styling: review.css (classes prefixed "rv-"). Elements a host checks carry data-role (network-badge,
// allow-list, digest). Used as an ES module by the signing page and inlined into the MCP Apps review card
// (secret_mcp_apps, through secret_mcp.api.web_asset).

const ALLOW_LIST = {
  allowed: ["on allow-list", "rv-ok"],
  not_allowed: ["NOT on the allow-list", "rv-bad"],
  none: ["no allow-list", "rv-neutral"],
};

// Bidi overrides, zero-width and other control or format characters, line and paragraph separators shown as
// \uXXXX (as tx/quote.py does for the text preview): chain text cannot reorder or break a line of the review.
// Newlines and tabs stay (the decoded messages' JSON layout).
function visible(text) {
  return String(text).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (ch) =>
    ch === "\n" || ch === "\t" ? ch : "\\u" + ch.codePointAt(0).toString(16).padStart(4, "0"));
}

function el(doc, tag, cls, text) {
  const node = doc.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = visible(text);
  return node;
}

function row(doc, list, label, value) {
  if (value === undefined || value === null || value === "") return;
  list.append(el(doc, "dt", "rv-label", label));
  const dd = el(doc, "dd", "rv-value");
  if (typeof value === "object" && value.nodeType) dd.append(value);  // a node built here (works without a window)
  else dd.textContent = visible(value);
  list.append(dd);
}

function section(doc, title, cls) {
  const box = el(doc, "section", `rv-section ${cls}`);
  box.append(el(doc, "h3", "rv-heading", title));
  return box;
}

function mono(doc, text) {
  return el(doc, "code", "rv-mono", text);
}

/** The network badge: SIMULATED for the sandbox, REAL FUNDS when real_funds, else the network name. */
export function networkBadge(network, doc = document) {
  const net = network || {};
  let badge;
  if (net.simulated) badge = el(doc, "span", "rv-badge rv-simulated", "SIMULATED");
  else if (net.real_funds) badge = el(doc, "span", "rv-badge rv-real", "REAL FUNDS");
  else badge = el(doc, "span", "rv-badge rv-neutral", (net.name || "network").toUpperCase());
  badge.dataset.role = "network-badge";
  return badge;
}

function amountsList(doc, items, cls) {
  const ul = el(doc, "ul", `rv-list ${cls}`);
  for (const item of items) ul.append(el(doc, "li", "rv-amount", item.display || `${item.amount} ${item.denom || item.symbol || ""}`));
  return ul;
}

function receiversList(doc, receivers) {
  const ul = el(doc, "ul", "rv-list rv-receivers");
  for (const r of receivers) {
    const li = el(doc, "li", "rv-receiver");
    li.append(mono(doc, r.address));
    const [label, cls] = ALLOW_LIST[r.allow_list] || [String(r.allow_list || "unknown"), "rv-neutral"];
    const tag = el(doc, "span", `rv-badge rv-allow ${cls}`, label);
    tag.dataset.allowList = String(r.allow_list);
    tag.dataset.role = "allow-list";
    li.append(" ", tag);
    ul.append(li);
  }
  return ul;
}

function messagesList(doc, messages) {
  const ol = el(doc, "ol", "rv-list rv-messages");
  for (const m of messages) {
    const li = el(doc, "li", "rv-message");
    li.append(el(doc, "div", "rv-msg-type", m.type));
    li.append(el(doc, "pre", "rv-json", JSON.stringify(m.value, null, 2)));
    ol.append(li);
  }
  return ol;
}

function balanceTable(doc, balance) {
  const table = el(doc, "table", "rv-balance");
  const head = el(doc, "tr");
  head.append(el(doc, "th", null, ""), el(doc, "th", null, "before"), el(doc, "th", null, "after"));
  table.append(head);
  const before = balance.before || [];
  const after = balance.after || [];
  const denoms = [...new Set([...before, ...after].map((c) => c.denom))];
  for (const denom of denoms) {
    const tr = el(doc, "tr");
    const b = before.find((c) => c.denom === denom);
    const a = after.find((c) => c.denom === denom);
    tr.append(el(doc, "th", null, denom), el(doc, "td", null, b ? b.display : "—"), el(doc, "td", null, a ? a.display : "—"));
    table.append(tr);
  }
  return table;
}

/** Build the review card for `review` and return its root element (the caller places it). */
export function renderReview(review, doc = document) {
  const r = review || {};
  const root = el(doc, "article", "rv-review");
  const net = r.network || {};

  const head = el(doc, "header", "rv-head");
  head.append(networkBadge(net, doc));
  head.append(el(doc, "h2", "rv-action", r.action || r.tool || "Transaction"));
  root.append(head);

  const facts = el(doc, "dl", "rv-facts");
  row(doc, facts, "Network", `${net.name || "?"} (${net.chain_id || "?"})${net.simulated ? " · simulated chain, no real funds" : ""}`);
  if (r.from) {
    const from = el(doc, "span");
    if (r.from.wallet) from.append(el(doc, "strong", null, r.from.wallet), " ");
    from.append(mono(doc, r.from.address || ""));
    row(doc, facts, "From", from);
  }
  if (net.endpoints && net.endpoints.length) row(doc, facts, "Endpoints", net.endpoints.join(", "));
  row(doc, facts, "Signed by", { server_key: "a key held by the server", wallet: "your wallet", agent: "the agent" }[r.signer] || r.signer);
  row(doc, facts, "Tool", r.tool);
  if (r.fee) {
    const gas = r.fee.gas_limit ? ` · gas limit ${r.fee.gas_limit}` : "";
    const price = r.fee.gas_price ? ` at ${r.fee.gas_price} ${r.fee.denom || ""}/gas` : "";
    row(doc, facts, "Fee", `${r.fee.display || `${r.fee.amount} ${r.fee.denom}`}${gas}${price}`);
  }
  row(doc, facts, "Memo", r.memo ? mono(doc, r.memo) : "(none)");
  root.append(facts);

  if (r.amounts && r.amounts.length) {
    const s = section(doc, "Amounts", "rv-amounts");
    s.append(amountsList(doc, r.amounts, "rv-coins"));
    root.append(s);
  }
  if (r.tokens && r.tokens.length) {
    const s = section(doc, "Tokens", "rv-tokens");
    s.append(amountsList(doc, r.tokens, "rv-token-list"));
    root.append(s);
  }
  if (r.receivers && r.receivers.length) {
    const s = section(doc, "Receivers", "rv-receivers-section");
    s.append(receiversList(doc, r.receivers));
    root.append(s);
  }
  if (r.lines && r.lines.length) {
    const s = section(doc, "Details", "rv-lines");
    const ul = el(doc, "ul", "rv-list");
    for (const line of r.lines) ul.append(el(doc, "li", "rv-line", line));
    s.append(ul);
    root.append(s);
  }
  if (r.balance && ((r.balance.before || []).length || (r.balance.after || []).length)) {
    const s = section(doc, "Balance", "rv-balance-section");
    s.append(balanceTable(doc, r.balance));
    root.append(s);
  }
  if (r.messages && r.messages.length) {
    const s = section(doc, `Messages (${r.messages.length})`, "rv-messages-section");
    s.append(messagesList(doc, r.messages));
    root.append(s);
  }
  if (r.sign_doc) {
    const s = section(doc, "Sign doc", "rv-signdoc");
    const dl = el(doc, "dl", "rv-facts");
    const digest = mono(doc, r.sign_doc.digest);
    digest.dataset.role = "digest";
    row(doc, dl, "Digest", digest);
    row(doc, dl, "Short", mono(doc, r.sign_doc.short));
    row(doc, dl, "Account number", r.sign_doc.account_number);
    row(doc, dl, "Sequence", r.sign_doc.sequence);
    s.append(dl);
    root.append(s);
  }
  return root;
}
