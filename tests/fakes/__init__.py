"""Real stand-ins for the outside world (loopback servers), used by the tests and bench/."""
