"""field-app: offline surveys and value-chain analysis for agrifood clusters."""

__version__ = "0.1.0"
