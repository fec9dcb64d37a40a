"""Adverts (e-smuggling): what social-media posts offering crossings, documents and transport say.

Pure analyses over texts handed to them (by `mare.hub.adverts` for the hub, or read from a Telegram
export or posts CSV by the CLI): `extract` (phones, handles, URLs, prices, places and the route,
services, each with the words that triggered it; the words per language are data, `lexicon.yaml`),
`posters` (posts grouped by the phones and handles they share).
"""
