package sources

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestExcluded(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		path     string
		excluded bool
	}{
		{".env", true},
		{".env.local", true},
		{"config/.ENV.production", true},
		{"server.key", true},
		{"certs/ca.pem", true},
		{"CERTS/CA.PEM", true},
		{"store.p12", true},
		{"store.pfx", true},
		{"ca.crt", true},
		{"ca.cer", true},
		{"ca.der", true},
		{"app.jks", true},
		{"app.keystore", true},
		{"passwords.kdbx", true},
		{"id_rsa", true},
		{"home/.ssh/id_ed25519", true},
		{"id_rsa.pub", true},
		{"id_gen.go", false}, // a Go file, not a key
		{".netrc", true},
		{".npmrc", true},
		{".pgpass", true},
		{"secrets.go", true},
		{"internal/ClientSecret.go", true},
		{"credentials.go", true},
		{"aws_Credentials_test.go", true},
		{".hidden/z.go", true},
		{"a/.b/c.go", true},
		{"vendor/y/y.go", true},
		{"a/vendor/y.go", true},
		{"testdata/x.go", true},
		{"pkg/testdata/x.go", true},

		{"main.go", false},
		{"go.mod", false},
		{"go.sum", false},
		{"internal/util/util.go", false},
		{"secrets/handler.go", false}, // only base names are checked for words
		{"keys.go", false},
		{"environment.go", false},
		{"vendors/list.go", false},
		{"_tools/t.go", false}, // FromDir prunes _ dirs; the path itself is harmless
		{"pem.go", false},
		{"my.key.go", false},
	} {
		reason, got := Excluded(tt.path)
		assert.Equal(t, tt.excluded, got, "Excluded(%q) (reason %q)", tt.path, reason)
		assert.Equal(t, tt.excluded, reason != "", "reason for %q", tt.path)
	}
}

func TestValidPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		path  string
		valid bool
	}{
		{"main.go", true},
		{"internal/util/util.go", true},
		{"go.mod", true},
		{"a/..b/c.go", true},
		{"..", false},
		{"/abs", false},
		{"/abs/main.go", false},
		{"a\\b", false},
		{"a/../b", false},
		{"../a.go", false},
		{"a/..", false},
		{"x\x00y", false},
		{"", false},
		{".", false},
		{"./a.go", false},
		{"a//b.go", false},
		{"a/", false},
	} {
		assert.Equal(t, tt.valid, ValidPath(tt.path), "ValidPath(%q)", tt.path)
	}
}
