"""Voting (DOMAIN §8): meetings and their matters, voters' credentials, the phone ballot, one ballot per voter."""
