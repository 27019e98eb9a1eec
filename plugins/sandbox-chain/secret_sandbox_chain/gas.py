"""The sandbox's gas schedule: Secret Network's own, so gas_used lands where secret-4's does.

Every constant names its source; plugins/sandbox-chain/README.md ("Gas") has the table and the resulting figures.
"""

from __future__ import annotations

# KV store costs of Secret's cosmos-sdk fork (scrtlabs/cosmos-sdk store/types/gas.go, KVGasConfig): a tenth of
# upstream's 1000/3/2000/30 — the reason a plain MsgSend fits in secretjs' default 25 000 gas on secret-4.
HAS_COST = 100
DELETE_COST = 100
READ_COST_FLAT, READ_COST_PER_BYTE = 100, 1
WRITE_COST_FLAT, WRITE_COST_PER_BYTE = 200, 5
ITER_NEXT_COST_FLAT = 5

# x/auth params of secret-4 (secret.js test suite asserts them: txSizeCostPerByte 10, sigVerifyCostSecp256k1 1000).
TX_SIZE_COST_PER_BYTE = 10
SIG_VERIFY_COST_SECP256K1 = 1000

# Store reads the SDK 0.50 ante decorators make that the sandbox's own state layout has no key for:
# x/auth Params (one collections item: 1-byte key, ~14-byte protobuf value) read by ValidateMemo,
# ConsumeGasForTxSize, ValidateSigCount and SigGasConsume; the signer's account read again by SetPubKey (twice:
# the key, then the acc_seq/signature events), SigGasConsume and SigVerification, on top of the two reads the
# sandbox makes itself (DeductFee's and IncrementSequence's): six in all.
AUTH_PARAMS_BYTES = 1 + 14
AUTH_PARAMS_READS = 4
EXTRA_ACCOUNT_READS = 4
# The circuit breaker decorator asks its disable list about each message's type: one Has per message.
# (Secret's CountTXDecorator reads and writes a tx counter too, but it runs before SetUpContext installs the tx's
# gas meter, so that gas is never charged to the tx.)
# ConsumeGasForTxSize in simulate mode prices a signature the tx does not carry yet: an amino StdSignature of a
# secp256k1 key (5-byte amino prefix + 33-byte key) and a 64-byte signature, plus field tags, plus 6.
SIM_SIGNATURE_BYTES = 2 + 5 + 33 + 2 + 64 + 6

# x/compute (scrtlabs/SecretNetwork x/compute/internal/types/gas.go): InstanceCost is charged each time a contract
# instance is loaded (every call, sub-calls included); the wasm run itself is metered in cosmwasm gas divided by
# GasMultiplier (1000). The sandbox's contracts are Python, so their run is priced per byte of the (encrypted)
# message the enclave decrypts and parses, plus a flat share; their storage goes through the KV costs above.
INSTANCE_COST = 10_000
WASM_FLAT = 2_000
WASM_PER_MSG_BYTE = 2

# Gas the authorizations and fee allowances consume themselves, per list entry they walk (cosmos-sdk v0.50
# `gasCostPerIteration`): x/bank SendAuthorization's allow-list and x/staking StakeAuthorization's validator lists
# 10, x/authz's grant queue 20, x/feegrant AllowedMsgAllowance's message list 10. The grants and allowances
# themselves are store reads and writes, metered like every other key.
SEND_AUTHZ_ITERATION = 10
STAKE_AUTHZ_ITERATION = 10
AUTHZ_QUEUE_ITERATION = 20
FEEGRANT_MSG_ITERATION = 10


def read_cost(nbytes: int) -> int:
    return READ_COST_FLAT + READ_COST_PER_BYTE * nbytes


def write_cost(nbytes: int) -> int:
    return WRITE_COST_FLAT + WRITE_COST_PER_BYTE * nbytes


# What wallets, Secret's own templates and its client's test suite budget per message type on the real chain
# (gas limits that land), and the lower end of what the work can cost. README "Gas" names each source.
REAL_CHAIN_RANGES: dict[str, tuple[int, int]] = {
    "send": (8_000, 20_000),
    "send_new_account": (8_000, 20_000),
    "multi_send": (8_000, 20_000),
    "delegate": (10_000, 50_000),
    "undelegate": (10_000, 50_000),
    "redelegate": (10_000, 50_000),
    "withdraw_rewards": (8_000, 30_000),
    "vote": (8_000, 50_000),
    "deposit": (8_000, 20_000),
    "submit_proposal": (10_000, 40_000),
    "ibc_transfer": (15_000, 100_000),
    "store_code": (500_000, 5_000_000),
    "instantiate": (20_000, 100_000),
    "execute": (15_000, 100_000),
    "snip20_transfer": (15_000, 100_000),
    "snip20_send": (15_000, 100_000),
}
