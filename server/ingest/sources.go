package ingest

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/agentops-go/agentops/server/model"
)

// The agentops.sources span (docs/WIRE.md section 5): the SDK uploads each
// source file once per process and lists, in every session's trace, every
// file of the program (agentops.sources.files) beside the URL it was
// stored at (agentops.sources.urls, "" for a file not stored). URLs naming
// files of this server let later sessions show files stored under an
// earlier trace.
const (
	sourcesSpanName = "agentops.sources"
	sourcesFiles    = "agentops.sources.files"
	sourcesURLs     = "agentops.sources.urls"
	filesPath       = "/api/files/"
)

// sourceMatcher recognises the URLs of this server's files: a path of
// <public URL path>/api/files/<id>, at the public URL's host or the host
// the request was sent to (they differ when the SDK names the server
// localhost and the server calls itself 127.0.0.1), or with no host.
type sourceMatcher struct {
	hosts  [2]string
	prefix string // the public URL's path, without a trailing slash
}

func newSourceMatcher(r *http.Request, publicURL string) sourceMatcher {
	m := sourceMatcher{hosts: [2]string{strings.ToLower(r.Host)}}
	if u, err := url.Parse(publicURL); err == nil {
		m.hosts[1] = strings.ToLower(u.Host)
		m.prefix = strings.TrimRight(u.Path, "/")
	}
	return m
}

// refs appends the FileRefs of an agentops.sources span.
func (m sourceMatcher) refs(s *model.Span, out []model.FileRef) []model.FileRef {
	files, _ := s.Attributes[sourcesFiles].([]any)
	urls, _ := s.Attributes[sourcesURLs].([]any)
	seen := map[model.FileRef]bool{}
	for i := range min(len(files), len(urls)) {
		path, _ := files[i].(string)
		raw, _ := urls[i].(string)
		if path == "" || raw == "" {
			continue
		}
		id, ok := m.fileID(raw)
		if !ok {
			continue
		}
		ref := model.FileRef{TraceID: s.TraceID, Path: path, FileID: id}
		if !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	return out
}

func (m sourceMatcher) fileID(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if u.Host != "" {
		host := strings.ToLower(u.Host)
		if host != m.hosts[0] && host != m.hosts[1] {
			return "", false
		}
	}
	rest, ok := strings.CutPrefix(u.Path, m.prefix+filesPath)
	if !ok && m.prefix != "" {
		rest, ok = strings.CutPrefix(u.Path, filesPath)
	}
	if !ok || !isFileID(rest) {
		return "", false
	}
	return rest, true
}

// isFileID reports whether s has the form of model.FileID: 32 lowercase
// hex digits.
func isFileID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
