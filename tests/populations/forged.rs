//! The attacker's population.
