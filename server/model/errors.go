package model

import "errors"

// Errors the parts agree on: a store returns them (wrapped or not), ingest
// and api turn them into status codes.
var (
	// ErrNotFound: no such session, file or object (404).
	ErrNotFound = errors.New("not found")
	// ErrOverloaded: the write queue is full; try again shortly (503 with
	// Retry-After).
	ErrOverloaded = errors.New("server overloaded: write queue full")
	// ErrClosed: the store is shutting down (503).
	ErrClosed = errors.New("store closed")
	// ErrInvalid: a query the store cannot answer as asked, such as a
	// cursor it did not issue (400).
	ErrInvalid = errors.New("invalid query")
)
