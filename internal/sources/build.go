package sources

import "runtime/debug"

// ReadBuild returns the running binary's build identity from
// runtime/debug.ReadBuildInfo, or the zero Build when the binary carries
// none. It is safe for concurrent use.
func ReadBuild() Build {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Build{}
	}
	return buildOf(bi)
}

func buildOf(bi *debug.BuildInfo) Build {
	b := Build{
		ModulePath: bi.Main.Path,
		Version:    bi.Main.Version,
		GoVersion:  bi.GoVersion,
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		case "-trimpath":
			b.TrimPath = s.Value == "true"
		}
	}
	return b
}
