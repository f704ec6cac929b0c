package redact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestString(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"openai key", `client := openai.NewClient("sk-proj-abcdefghijklmnopqrstuvwx1234")`,
			`client := openai.NewClient("[REDACTED]")`},
		{"anthropic key", "ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuv", "ANTHROPIC_API_KEY=[REDACTED]"},
		{"aws key id", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "aws_access_key_id = [REDACTED]"},
		{"github token", "token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "token [REDACTED]"},
		{"bearer header", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "Authorization: Bearer [REDACTED]"},
		{"go password literal", `cfg := Config{Password: "hunter2!"}`, `cfg := Config{Password: "[REDACTED]"}`},
		{"password assignment", `password := "s3cret"`, `password := "[REDACTED]"`},
		{"password in env style", "DB_PASSWORD=s3cret other=1", "DB_PASSWORD=[REDACTED] other=1"},
		{"password in a URL", "postgres://app:s3cret@db:5432/x", "postgres://app:[REDACTED]@db:5432/x"},
		{"password query", "https://x/login?user=a&password=hunter2&next=/", "https://x/login?user=a&password=[REDACTED]&next=/"},
		{"pem block", "k := `-----BEGIN RSA PRIVATE KEY-----\nMIIB\nabc\n-----END RSA PRIVATE KEY-----`", "k := `[REDACTED]`"},
		{"code that names a password is left alone", `password := os.Getenv("DB_PASSWORD")`, `password := os.Getenv("DB_PASSWORD")`},
		{"short sk- words are not keys", "task-sk-ab risk-level", "task-sk-ab risk-level"},
		{"nothing to hide", "func main() {}", "func main() {}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, String(tc.in))
		})
	}
}

func TestExactValues(t *testing.T) {
	key := "3f2b9c1e-8a4d-4e6f-9b7a-1c2d3e4f5a6b"
	got := String("const apiKey = \""+key+"\" // "+key, key, "")
	assert.NotContains(t, got, key)
	assert.Equal(t, 2, strings.Count(got, Mask))
}

// BenchmarkString is the cost on ordinary source code, which holds no
// secret, beside the floor of reading it once (strings.Count).
func BenchmarkString(b *testing.B) {
	code := strings.Repeat("func handle(w http.ResponseWriter, r *http.Request) {\n\tfmt.Fprintf(w, \"hello %s\", r.URL.Path)\n}\n", 40)
	b.SetBytes(int64(len(code)))
	b.Run("baseline-scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = strings.Count(code, "\n")
		}
	})
	b.Run("redact", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = String(code, "3f2b9c1e-8a4d-4e6f-9b7a-1c2d3e4f5a6b")
		}
	})
}
