package sources

import (
	"io/fs"
	"path"
	"strings"
)

// keyFileExts are extensions of files that hold keys, certificates or
// password stores; they are never uploaded even when asked for.
var keyFileExts = map[string]bool{
	".pem": true, ".key": true, ".p12": true, ".pfx": true, ".crt": true,
	".cer": true, ".der": true, ".jks": true, ".keystore": true, ".kdbx": true,
}

// credentialFiles are dotfiles that hold credentials by convention.
var credentialFiles = map[string]bool{".netrc": true, ".npmrc": true, ".pgpass": true}

// Excluded reports whether the slash-separated path must never be uploaded,
// and why. It looks at the base name (environment files, keys and
// certificates, SSH keys, credential dotfiles, any name containing "secret"
// or "credential") and at every element (hidden, vendor, testdata). It
// is safe for concurrent use.
func Excluded(p string) (reason string, excluded bool) {
	base := path.Base(p)
	lower := strings.ToLower(base)
	switch {
	case lower == ".env" || strings.HasPrefix(lower, ".env."):
		return "environment file", true
	case keyFileExts[path.Ext(lower)]:
		return "key or certificate file", true
	case strings.HasPrefix(lower, "id_") && (path.Ext(lower) == "" || path.Ext(lower) == ".pub"):
		return "SSH key file", true // id_rsa, id_ed25519.pub; not id_gen.go
	case credentialFiles[lower]:
		return "credentials file", true
	case strings.Contains(lower, "secret"):
		return `name contains "secret"`, true
	case strings.Contains(lower, "credential"):
		return `name contains "credential"`, true
	}
	for elem := range strings.SplitSeq(p, "/") {
		if r, ok := excludedDir(elem); ok {
			return r, true
		}
	}
	return "", false
}

// excludedDir reports whether a path element rules out everything under it.
func excludedDir(elem string) (reason string, excluded bool) {
	switch {
	case strings.HasPrefix(elem, "."):
		return "hidden path", true
	case elem == "vendor":
		return "vendor directory", true
	case elem == "testdata":
		return "testdata directory", true
	}
	return "", false
}

// ValidPath reports whether p is safe to send as a module-relative file
// name: a valid io/fs path (slash-separated, not absolute, no empty, "." or
// ".." element), not "." itself, with no backslash and no NUL. It is safe
// for concurrent use.
func ValidPath(p string) bool {
	return p != "" && p != "." && fs.ValidPath(p) &&
		!strings.ContainsAny(p, "\\\x00")
}
