"""Delivery transports: how a signed event leaves the hub (webhook; pull feed and file drop)."""
