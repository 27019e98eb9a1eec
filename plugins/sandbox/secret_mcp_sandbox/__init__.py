"""secret-mcp sandbox pack: the "sandbox" network preset, the `sandbox` command and the faucet tool.

The chain itself is the separate distribution `secret-sandbox-chain` (package `secret_sandbox_chain`), which needs
nothing of secret-mcp; this pack is the glue between it and the server, and imports the core only from
`secret_mcp.api`.
"""
