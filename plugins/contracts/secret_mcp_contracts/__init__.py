"""The contracts pack: upload, instantiate, execute (alone or batched), query, migrate and inspect Secret contracts.

Messages are encrypted client-side (secret_mcp.contracts); answers, data, events and errors are decrypted."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .reads import (secret_get_code_info, secret_get_contract_history, secret_get_contract_info,
                        secret_list_codes, secret_query_contract)
    from .recent import recent_contracts
    from .writes import (secret_batch_execute, secret_execute_contract, secret_instantiate_contract,
                         secret_migrate_contract, secret_upload_contract)

    registry.add_tools(secret_upload_contract, secret_get_code_info, secret_list_codes, secret_instantiate_contract,
                       secret_execute_contract, secret_query_contract, secret_batch_execute,
                       secret_get_contract_info, secret_get_contract_history, secret_migrate_contract)
    registry.resource("secret://contracts/recent", recent_contracts, name="recent_contracts",
                      description="Contracts this session instantiated or executed (address, action, network).")


@hookimpl
def secret_mcp_requires():
    return {"wallet": "to choose the wallet that signs"}
