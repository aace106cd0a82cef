"""Contracts and types shared by every layer; imports nothing else from Tessera."""
