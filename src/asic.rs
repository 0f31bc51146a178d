//! ASiC containers (ETSI EN 319 162-1).
