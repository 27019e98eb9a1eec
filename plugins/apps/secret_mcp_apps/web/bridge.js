// The view's side of the MCP Apps bridge: JSON-RPC 2.0 over postMessage with the host (the parent window).
// ui/initialize -> ui/notifications/initialized; then the host sends tool-input and tool-result notifications,
// and the view may call the server's tools through the host (tools/call).
// Everything shown comes from the host's messages and is written with textContent, never as HTML.
"use strict";

const Bridge = (() => {
  let nextId = 1;
  const waiting = new Map();
  const handlers = {};
  let hostContext = {};

  function post(message) {
    window.parent.postMessage(Object.assign({ jsonrpc: "2.0" }, message), "*");
  }

  function request(method, params) {
    const id = nextId++;
    post({ id, method, params });
    return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
  }

  function notify(method, params) {
    post({ method, params: params || {} });
  }

  function applyTheme(context) {
    const root = document.documentElement;
    if (context.theme === "light" || context.theme === "dark") root.dataset.theme = context.theme;
    const vars = (context.styles && context.styles.variables) || {};
    for (const [name, value] of Object.entries(vars)) {
      if (typeof value === "string" && name.startsWith("--")) root.style.setProperty(name, value);
    }
    if (handlers.theme) handlers.theme(root.dataset.theme || "");
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return; // only the host speaks to this view
    const msg = event.data;
    if (!msg || msg.jsonrpc !== "2.0") return;
    if (msg.id !== undefined && !msg.method) {
      const pending = waiting.get(msg.id);
      if (!pending) return;
      waiting.delete(msg.id);
      if (msg.error) pending.reject(new Error(msg.error.message || "request failed"));
      else pending.resolve(msg.result);
      return;
    }
    switch (msg.method) {
      case "ui/notifications/tool-input":
        if (handlers.input) handlers.input((msg.params && msg.params.arguments) || {});
        break;
      case "ui/notifications/tool-result":
        if (handlers.result) handlers.result(msg.params || {});
        break;
      case "ui/notifications/tool-cancelled":
        if (handlers.cancelled) handlers.cancelled((msg.params && msg.params.reason) || "");
        break;
      case "ui/notifications/host-context-changed":
        hostContext = Object.assign(hostContext, msg.params || {});
        applyTheme(hostContext);
        break;
      case "ui/resource-teardown":
        post({ id: msg.id, result: {} });
        break;
      case "ping":
        if (msg.id !== undefined) post({ id: msg.id, result: {} });
        break;
    }
  });

  function watchSize() {
    let last = "";
    const report = () => {
      // The body's own box: the document's scroll size never drops below the frame's, so it could only grow.
      const box = document.body.getBoundingClientRect();
      const size = { width: Math.ceil(box.width), height: Math.ceil(box.height) };
      const key = size.width + "x" + size.height;
      if (key !== last) {
        last = key;
        notify("ui/notifications/size-changed", size);
      }
    };
    new ResizeObserver(report).observe(document.body);
    report();
  }

  async function start(name, on) {
    Object.assign(handlers, on);
    const result = await request("ui/initialize", {
      protocolVersion: "2026-01-26",
      appInfo: { name, version: "0.1.0" },
      appCapabilities: { availableDisplayModes: ["inline"] },
    });
    hostContext = (result && result.hostContext) || {};
    applyTheme(hostContext);
    notify("ui/notifications/initialized", {});
    watchSize();
    return hostContext;
  }

  // A tool's result as the view uses it: its structured content, or an Error carrying the server's error model.
  async function callTool(name, args) {
    const result = await request("tools/call", { name, arguments: args || {} });
    const data = (result && result.structuredContent) || {};
    if (result && result.isError) {
      const error = new Error((data.error && data.error.message) || "the tool failed");
      error.data = data;
      throw error;
    }
    return data;
  }

  return { start, callTool, request, notify, context: () => hostContext };
})();

// Chain text as the text preview shows it (tx/quote.py): bidi overrides, zero-width and other control or format
// characters, line and paragraph separators become visible \uXXXX escapes, so they cannot reorder what is read.
// Newlines and tabs stay (layout in <pre>, a space elsewhere).
function visible(text) {
  return String(text).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (ch) =>
    ch === "\n" || ch === "\t" ? ch : "\\u" + ch.codePointAt(0).toString(16).padStart(4, "0"));
}

// Small DOM helpers shared by the views: elements built from text, never from HTML strings.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = visible(value);
    else node.setAttribute(key, visible(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(visible(child)));
  }
  return node;
}

function shortAddress(address) {
  const text = String(address || "");
  return text.length > 20 ? text.slice(0, 12) + "…" + text.slice(-6) : text;
}

// Chart.js colours follow the theme. Custom properties hold light-dark() pairs, which only an element's computed
// colour resolves: read them through a hidden probe.
function chartColors() {
  const probe = document.body.appendChild(el("span", { style: "display:none" }));
  const color = (name) => {
    probe.style.color = "var(" + name + ")";
    return getComputedStyle(probe).color;
  };
  const colors = {
    text: color("--muted"),
    grid: color("--line"),
    series: ["--c1", "--c2", "--c3", "--c4", "--c5", "--c6"].map(color),
  };
  probe.remove();
  return colors;
}
