"""HTTP routers: one module per area, each exposing ``router``."""
