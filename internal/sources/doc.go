// Package sources finds, filters and reads the source files of the running
// program's main module, so the SDK can upload the code that ran beside the
// session that ran it.
//
// # Two ways to find the files
//
// A program run where it was built (go run, go test, a binary next to its
// checkout) still has its source on disk: Discover reads the build identity
// (ReadBuild), finds the main module's go.mod from absolute paths the program
// knows about (its stack-frame files, its working directory; FindModuleRoot)
// and reads the module directory (FromDir).
//
// A program run away from its source (a container image, a -trimpath build)
// has no path to start from. For those, `agentops sources` (Generate) runs
// at build time, usually from //go:generate: it asks `go list` for exactly the
// files that are compiled into the binary, copies them (redacted) into a
// directory next to the main package and writes a small Go file that embeds
// that directory. At run time FromFS reads the embedded copy.
//
// # What is never sent
//
// Whatever the route, every file passes the same gates, in this order:
// Excluded (secret-looking names, hidden, vendor and testdata directories),
// ValidPath (a name the server can safely store), the Limits (per file, in
// total, and a file count; applied in sorted path order so the result is
// reproducible), and redact.String on the content (API-key shapes, bearer
// tokens, password literals, private keys, and the exact values the caller
// passes, such as the configured API key). What a gate drops is listed in
// Bundle.Skipped, so "why is my file missing" has an answer.
//
// Everything here is safe for concurrent use: the functions share no state.
package sources
