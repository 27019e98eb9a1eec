#!/usr/bin/env node
// Real secretjs 1.22.1 authz and feegrant flows against a Secret Network LCD (the secret-mcp sandbox chain):
// a person (account a) grants a fresh agent key a capped SendAuthorization and a fee allowance; the agent sends
// within the limit with the fee paid by the granter; the chain refuses a send beyond the limit; after the person
// revokes, the chain refuses the agent again.
//
//   node grants.mjs <lcd url> [--chain-id secret-sandbox-1]
//
// Prints one JSON line per check on stdout ({"check", "ok", "detail"}) and exits 1 if any check failed.
import { MsgExec, MsgGrant, MsgGrantAllowance, MsgRevoke, MsgRevokeAllowance, MsgSend, SecretNetworkClient, Wallet } from "secretjs";

const MNEMONIC_A = "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber love must tape steak together observe swap guitar";
const ADDRESS_B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne";
const DENOM = "uscrt";
const SEND_TYPE = "/cosmos.bank.v1beta1.MsgSend";
const LIMIT = 1_000n;
const ALLOWANCE = 100_000n;
const GAS = 60_000;
const FEE = 6_000n; // GAS x secretjs' default 0.1 uscrt/gas
const FAST = { broadcastCheckIntervalMs: 200, broadcastTimeoutMs: 20_000 };

const results = [];
class CheckFailed extends Error {}
const jsonish = (v) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

function expect(condition, message, got) {
  if (!condition) throw new CheckFailed(`${message}${got === undefined ? "" : ` (got ${jsonish(got)})`}`);
}

function expectEqual(got, want, what) {
  if (String(got) !== String(want)) throw new CheckFailed(`${what}: expected ${jsonish(want)}, got ${jsonish(got)}`);
}

function emit(check, ok, detail) {
  results.push({ check, ok });
  process.stdout.write(`${jsonish({ check, ok, detail })}\n`);
}

async function check(name, fn, needs = []) {
  const missing = needs.filter((n) => !results.find((r) => r.check === n && r.ok));
  if (missing.length) return emit(name, false, `not run: prerequisite missing: ${missing.join(", ")}`);
  try {
    emit(name, true, (await fn()) ?? null);
  } catch (err) {
    emit(name, false, err instanceof Error ? `${err.name}: ${err.message}` : `LCD error body ${jsonish(err)}`);
  }
}

async function uscrt(client, address) {
  const { balance } = await client.query.bank.balance({ address, denom: DENOM });
  return BigInt(balance?.amount ?? "0");
}

function parseArgs(argv) {
  const opts = { url: null, chainId: "secret-sandbox-1" };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--chain-id") opts.chainId = argv[++i];
    else if (!argv[i].startsWith("--") && opts.url === null) opts.url = argv[i].replace(/\/+$/, "");
    else throw new Error(`unexpected argument ${argv[i]}`);
  }
  if (!opts.url) throw new Error("usage: node grants.mjs <lcd url> [--chain-id ID]");
  return opts;
}

async function main() {
  const { url, chainId } = parseArgs(process.argv.slice(2));
  const person = new Wallet(MNEMONIC_A);
  const agent = new Wallet(); // a fresh key: no funds, unknown to the chain until the grant
  const personClient = new SecretNetworkClient({ url, chainId, wallet: person, walletAddress: person.address });
  const agentClient = new SecretNetworkClient({ url, chainId, wallet: agent, walletAddress: agent.address });
  const send = (amount) => new MsgSend({ from_address: person.address, to_address: ADDRESS_B, amount: [{ denom: DENOM, amount: String(amount) }] });
  const exec = (amount) =>
    agentClient.tx.authz.exec({ grantee: agent.address, msgs: [send(amount)] }, { gasLimit: GAS, feeGranter: person.address, ...FAST });

  await check("authz_grant_with_fee_allowance", async () => {
    const expiration = Math.floor(Date.now() / 1000) + 3600;
    const tx = await personClient.tx.broadcast(
      [
        new MsgGrant({ granter: person.address, grantee: agent.address, expiration,
                       authorization: { spend_limit: [{ denom: DENOM, amount: String(LIMIT) }], allow_list: [] } }),
        new MsgGrantAllowance({ granter: person.address, grantee: agent.address,
                                allowance: { spend_limit: [{ denom: DENOM, amount: String(ALLOWANCE) }],
                                             expiration: { seconds: String(expiration), nanos: 0 } } }),
      ],
      { gasLimit: 200_000, ...FAST },
    );
    expectEqual(tx.code, 0, `grant tx code (rawLog ${jsonish(tx.rawLog)})`);
    const { grants } = await personClient.query.authz.grants({ granter: person.address, grantee: agent.address, msg_type_url: SEND_TYPE });
    expectEqual(grants?.length, 1, "grants for (granter, grantee, MsgSend)");
    expectEqual(grants[0].authorization?.["@type"], "/cosmos.bank.v1beta1.SendAuthorization", "authorization type");
    expectEqual(jsonish(grants[0].authorization.spend_limit), jsonish([{ denom: DENOM, amount: String(LIMIT) }]), "spend_limit");
    expectEqual(new Date(grants[0].expiration).getTime() / 1000, expiration, "expiration");
    const { allowance } = await personClient.query.feegrant.allowance({ granter: person.address, grantee: agent.address });
    expectEqual(allowance?.allowance?.["@type"], "/cosmos.feegrant.v1beta1.BasicAllowance", "allowance type");
    expectEqual(await uscrt(agentClient, agent.address), 0, "the agent's own balance");
    return { txhash: tx.transactionHash, agent: agent.address, expiration: grants[0].expiration };
  });

  await check("authz_exec_within_limit_fee_from_granter", async () => {
    const [a0, b0] = [await uscrt(personClient, person.address), await uscrt(personClient, ADDRESS_B)];
    const tx = await exec(400n);
    expectEqual(tx.code, 0, `exec tx code (rawLog ${jsonish(tx.rawLog)})`);
    const [a1, b1] = [await uscrt(personClient, person.address), await uscrt(personClient, ADDRESS_B)];
    expectEqual(b1 - b0, 400n, "b received");
    expectEqual(a0 - a1, 400n + FEE, "the granter paid the send and the fee");
    expectEqual(await uscrt(agentClient, agent.address), 0, "the agent's own balance");
    const payer = tx.events.find((e) => e.type === "tx" && e.attributes.some((a) => a.key === "fee_payer"));
    expectEqual(payer.attributes.find((a) => a.key === "fee_payer").value, person.address, "fee_payer event");
    const { grants } = await agentClient.query.authz.granteeGrants({ grantee: agent.address });
    expectEqual(grants?.[0]?.authorization?.spend_limit?.[0]?.amount, LIMIT - 400n, "remaining spend limit");
    const { allowances } = await agentClient.query.feegrant.allowances({ grantee: agent.address });
    expectEqual(allowances?.[0]?.allowance?.spend_limit?.[0]?.amount, ALLOWANCE - FEE, "remaining fee allowance");
    return { txhash: tx.transactionHash, left: String(LIMIT - 400n) };
  }, ["authz_grant_with_fee_allowance"]);

  await check("authz_exec_beyond_limit_refused_by_chain", async () => {
    const b0 = await uscrt(personClient, ADDRESS_B);
    const tx = await exec(LIMIT);
    expectEqual(tx.code, 5, `exec beyond the limit: code (rawLog ${jsonish(tx.rawLog)})`);
    expect(tx.rawLog.includes("requested amount is more than spend limit"), "the chain's reason", tx.rawLog);
    expectEqual(await uscrt(personClient, ADDRESS_B), b0, "b's balance unchanged");
    return { code: tx.code, rawLog: tx.rawLog };
  }, ["authz_exec_within_limit_fee_from_granter"]);

  await check("authz_revoke_then_exec_refused", async () => {
    const tx = await personClient.tx.authz.revoke({ granter: person.address, grantee: agent.address, msg: SEND_TYPE }, { gasLimit: 100_000, ...FAST });
    expectEqual(tx.code, 0, `revoke tx code (rawLog ${jsonish(tx.rawLog)})`);
    const { grants } = await personClient.query.authz.granterGrants({ granter: person.address });
    expect(!grants.some((g) => g.grantee === agent.address), "the grant is still listed", grants);
    const after = await exec(1n);
    expectEqual(after.code, 2, `exec after revoke: code (rawLog ${jsonish(after.rawLog)})`);
    expect(after.rawLog.endsWith("authorization not found"), "the chain's reason", after.rawLog);
    return { rawLog: after.rawLog };
  }, ["authz_exec_within_limit_fee_from_granter"]);

  await check("feegrant_revoke_then_refused", async () => {
    const tx = await personClient.tx.feegrant.revokeAllowance({ granter: person.address, grantee: agent.address }, { gasLimit: 100_000, ...FAST });
    expectEqual(tx.code, 0, `revokeAllowance tx code (rawLog ${jsonish(tx.rawLog)})`);
    const { allowances } = await personClient.query.feegrant.allowancesByGranter({ granter: person.address });
    expect(!allowances.some((g) => g.grantee === agent.address), "the allowance is still listed", allowances);
    try {
      const refused = await exec(1n);
      throw new CheckFailed(`the chain accepted the tx: code ${refused.code}, rawLog ${jsonish(refused.rawLog)}`);
    } catch (err) {
      if (err instanceof CheckFailed) throw err;
      const text = err instanceof Error ? err.message : jsonish(err);
      expect(text.includes("does not allow to pay fees") && text.includes("fee-grant not found"), "CheckTx refusal text", text);
      return { refused: text.slice(0, 200) };
    }
  }, ["authz_grant_with_fee_allowance"]);
}

const watchdog = setTimeout(() => {
  emit("watchdog", false, "grants.mjs did not finish within 90 s");
  process.exit(1);
}, 90_000);
watchdog.unref();

main().then(
  () => process.exit(results.length > 0 && results.every((r) => r.ok) ? 0 : 1),
  (err) => {
    emit("grants_script", false, err instanceof Error ? err.message : jsonish(err));
    process.exit(/^usage|unexpected argument/.test(String(err?.message)) ? 2 : 1);
  },
);
