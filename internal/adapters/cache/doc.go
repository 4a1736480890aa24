// Package cache puts a bounded in-process cache (ristretto) in front of a repository,
// as a decorator implementing the same ports: repeated reads never reach the database,
// identical concurrent misses reach it once, and when the database is unavailable,
// entries up to a stale window past their TTL still answer.
package cache
