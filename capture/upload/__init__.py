"""The outbox and, later, the marketplace senders."""
