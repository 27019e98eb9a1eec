// renderReview(container, review): the review dict of a prepared plan (CONTRACTS.md section 1) as a card.
// Self-contained (DOM only) so the wallet signing page can share it. Chain text in the review (memo, token
// symbols, lines, decoded messages) is data: it is only ever set as textContent.
"use strict";

// Bidi overrides, zero-width and other control or format characters shown as \uXXXX (as tx/quote.py does for
// the text preview), so chain text cannot reorder a line of the card; newlines and tabs stay (JSON layout).
function shown(text) {
  return String(text).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (ch) =>
    ch === "\n" || ch === "\t" ? ch : "\\u" + ch.codePointAt(0).toString(16).padStart(4, "0"));
}

function renderReview(container, review) {
  const node = (tag, cls, text) => {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = shown(text);
    return n;
  };
  const section = (title) => {
    container.append(node("h2", "", title));
    const body = node("div", "card");
    container.append(body);
    return body;
  };
  const table = (parent, head, rows) => {
    const t = node("table");
    const tr = node("tr");
    head.forEach((h) => tr.append(node("th", h.num ? "num" : "", h.text || h)));
    t.append(tr);
    rows.forEach((cells) => {
      const r = node("tr");
      cells.forEach((c, i) => {
        const td = node("td", head[i].num ? "num" : "");
        if (c instanceof Node) td.append(c);
        else td.textContent = c === undefined || c === null ? "" : shown(c);
        r.append(td);
      });
      t.append(r);
    });
    parent.append(t);
    return t;
  };
  container.textContent = "";
  const network = review.network || {};
  const title = node("h1", "", "");
  title.append(node("span", "action", review.action || review.tool || "Transaction"));
  const badge = node("span", "badge " + (network.simulated ? "sim" : "real"),
    network.simulated ? "SIMULATED" : "REAL FUNDS");
  badge.dataset.role = "network-badge";
  title.append(badge);
  container.append(title);
  const facts = node("div", "muted");
  const from = review.from || {};
  facts.textContent = [
    "Network: " + (network.name || "?") + " (" + (network.chain_id || "?") + ")",
    "From: " + (from.wallet ? from.wallet + " " : "") + (from.address || "?"),
    "Signer: " + (review.signer || "?"),
  ].join(" · ");
  container.append(facts);

  const amounts = review.amounts || [];
  const tokens = review.tokens || [];
  const moves = section("Amounts");
  if (!amounts.length && !tokens.length) moves.append(node("div", "empty", "No funds leave the wallet (fee only)."));
  if (amounts.length) table(moves, ["Denom", { text: "Amount", num: true }, "Shown as"],
    amounts.map((a) => [a.denom, a.amount, a.display]));
  if (tokens.length) table(moves, ["Token", { text: "Base units", num: true }, "Shown as"],
    tokens.map((t) => [(t.symbol || "") + " " + shortText(t.contract), t.amount, t.display]));

  const receivers = review.receivers || [];
  if (receivers.length) {
    const body = section("Recipients");
    const labels = { allowed: ["ok", "on allow-list"], not_allowed: ["bad", "NOT on allow-list"],
                     none: ["none", "no allow-list"] };
    table(body, ["Address", "Allow-list"], receivers.map((r) => {
      const [cls, text] = labels[r.allow_list] || ["none", String(r.allow_list || "?")];
      const b = node("span", "badge " + cls, text);
      b.dataset.role = "allow-list";
      return [node("span", "mono", r.address), b];
    }));
  }

  const fee = review.fee || {};
  const balance = review.balance || {};
  const costs = section("Fee and balance");
  table(costs, ["", "Value"], [
    ["Fee", (fee.display || "?") + (fee.gas_limit ? " · gas " + fee.gas_limit + " at " + fee.gas_price + (fee.denom || "") + "/gas" : "")],
    ["Balance before", (balance.before || []).map((c) => c.display).join(", ") || "—"],
    ["Balance after", (balance.after || []).map((c) => c.display).join(", ") || "—"],
  ]);

  const lines = review.lines || [];
  if (lines.length || review.memo) {
    const body = section("Details");
    lines.forEach((line) => body.append(node("div", "", line)));
    if (review.memo) body.append(node("div", "", "Memo: " + review.memo));
  }

  const messages = review.messages || [];
  const msgs = section("Messages (" + messages.length + ")");
  messages.forEach((m) => {
    const d = node("details");
    d.append(node("summary", "mono", m.type));
    d.append(node("pre", "mono", JSON.stringify(m.value, null, 2)));
    msgs.append(d);
  });

  const doc = review.sign_doc || {};
  const digest = section("Sign doc");
  const dg = node("div", "mono", doc.digest || "");
  dg.dataset.role = "digest";
  digest.append(dg);
  digest.append(node("div", "muted", "Sequence " + doc.sequence + " · account " + doc.account_number +
    " · endpoints " + (network.endpoints || []).join(", ")));

  function shortText(text) {
    const t = String(text || "");
    return t.length > 20 ? t.slice(0, 12) + "…" + t.slice(-6) : t;
  }
}
