"""A prompt that walks a person through choosing validators: cost, concentration of power, jailed status."""

from __future__ import annotations


def choose_validators(amount: str = "", priorities: str = "") -> str:
    """Help choose validators to stake with: commission, voting power concentration, jailed status."""
    what = f"stake {amount}" if amount else "stake SCRT"
    wishes = f"\nTheir own priorities: {priorities}." if priorities else ""
    return f"""The person wants to {what} on the Secret Network and needs help choosing validators.{wishes}

1. Read the resource secret://validators/top and call secret_get_validators with status="bonded" and
   sort_by="commission". Only bonded validators earn rewards.
2. Rule out any validator that is jailed (it was penalised and earns nothing), outside the active set, or
   charging 100% commission (its delegators get no rewards). Say why each one was ruled out.
3. Commission: lower means more rewards for the person, but 0% is often a temporary promotion and a validator
   may raise it (up to its max_commission_percent, by max_change_percent_per_day per day). Show both figures.
4. Concentration: the validators whose cumulative_percent reaches 33.4% could together halt the chain, and 66.7%
   could push through anything. Prefer validators outside that top group; delegating to the largest ones
   concentrates power further. Mention voting_power_percent for every suggestion.
5. Suggest two to four validators and, if the person agrees, a split of the amount between them: splitting
   limits the damage if one of them is slashed.
6. Remind them: unbonding takes the chain's unbonding period (21 days on mainnet), staked SCRT is not liquid,
   and rewards must be withdrawn (secret_withdraw_rewards).
7. Delegate only with secret_delegate, one call per validator, after the person has agreed to the exact amounts.
   Never set allow_jailed unless the person insists after being told what jailed means.
"""
