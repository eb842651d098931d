"""Rules for cryptography: weak algorithms, predictable randomness, keys and secrets handled unsafely."""
