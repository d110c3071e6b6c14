// Readiness: conveniences only; every page works without this script.
