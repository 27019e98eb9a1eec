"""Client-side Secret contract crypto and lookups shared by the contracts and tokens packs.

`cipher(ctx)` encrypts with the session's in-memory seed for the active network; `code_hash(ctx, addr)` looks the
hash up once per chain; `query(ctx, addr, msg)` runs an encrypted smart query and returns the decrypted answer,
raising CONTRACT_ERROR with the contract's own error text when it fails. Write tools build their Plan with
`execute.ContractMessages`, which declares what each message moves (`moves.declared`).
"""

from .crypto import Cipher, normalize_hash
from .query import query
from .state import cipher, code_hash, known_token, remember, remember_token, state_of

__all__ = ["Cipher", "normalize_hash", "query", "cipher", "code_hash", "known_token", "remember", "remember_token",
           "state_of"]
