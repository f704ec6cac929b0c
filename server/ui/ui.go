package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"time"
)

//go:embed static
var static embed.FS

// ContentSecurityPolicy is the policy of the dashboard's pages: scripts,
// styles and connections from this origin only, images also as data:
// URLs, nothing inline, no eval, no plugins, no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// contentTypes are the types of the embedded files, by extension. They are
// fixed here rather than taken from the mime package, which reads the
// system's tables: a module script served as text/plain is refused.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
}

// asset is one embedded file, ready to serve.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

// UI serves the dashboard. It is safe for concurrent use.
type UI struct {
	index  asset
	assets map[string]asset // by path under static/, e.g. "js/main.js"
}

// New returns the dashboard's handler over the embedded files.
func New() *UI {
	u, err := newUI(static)
	if err != nil {
		panic("ui: " + err.Error()) // the embedded files are fixed at build time
	}
	return u
}

func newUI(fsys fs.FS) (*UI, error) {
	root, err := fs.Sub(fsys, "static")
	if err != nil {
		return nil, err
	}
	u := &UI{assets: map[string]asset{}}
	err = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ctype, ok := contentTypes[path.Ext(p)]
		if !ok {
			return fmt.Errorf("%s: no content type for its extension", p)
		}
		body, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		u.assets[p] = asset{body: body, ctype: ctype, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var ok bool
	if u.index, ok = u.assets["index.html"]; !ok {
		return nil, fmt.Errorf("static/index.html is missing")
	}
	delete(u.assets, "index.html") // served at the page routes only
	return u, nil
}

// Register adds the dashboard's routes to mux: the pages at / and
// /sessions, the assets under /ui/. Other paths are left to mux (404).
func (u *UI) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", u.servePage)
	mux.HandleFunc("GET /sessions", u.servePage)
	mux.HandleFunc("GET /ui/{file...}", u.serveAsset)
}

// servePage answers every page route with index.html: the JavaScript reads
// the URL and draws the page, so links and reloads work.
func (u *UI) servePage(w http.ResponseWriter, r *http.Request) {
	serve(w, r, u.index)
}

func (u *UI) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := u.assets[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	serve(w, r, a)
}

// serve answers with a, or 304 when the client's copy is current. The
// files keep their names from one version to the next, so a browser must
// revalidate each time (no-cache), which the ETag makes cheap; the ETag
// is the content's hash, so a new binary's files are never mistaken for
// the old.
func serve(w http.ResponseWriter, r *http.Request, a asset) {
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}
