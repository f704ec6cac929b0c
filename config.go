package agentops

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/agentops-go/agentops/internal/logcapture"
	"github.com/agentops-go/agentops/internal/semconv"
	"github.com/agentops-go/agentops/internal/sources"
)

// Endpoints of AgentOps cloud, used when an API key is set and no endpoint is.
const (
	CloudAPIEndpoint      = "https://api.agentops.ai"
	CloudExporterEndpoint = "https://otlp.agentops.ai/v1/traces"
	CloudAppURL           = "https://app.agentops.ai"
)

// LocalEndpoint is where `agentops serve` listens by default: one port for
// OTLP, the AgentOps API and the dashboard, chosen not to clash with the
// OTel Collector's 4317/4318. With neither an API key nor an endpoint the
// SDK sends here, so a newcomer needs no configuration.
const LocalEndpoint = "http://127.0.0.1:7318"

// ErrInvalidConfig is wrapped by every configuration error Init returns.
var ErrInvalidConfig = errors.New("agentops: invalid configuration")

// Defaults that differ from the OTel SDK's own.
const (
	// defaultBatchTimeout is the AgentOps SDKs' export flush interval: spans
	// reach the dashboard within a second instead of OTel's five.
	defaultBatchTimeout = time.Second
	// defaultMaxPayload caps one input or output attribute.
	defaultMaxPayload = 64 << 10
	defaultTraceName  = "default"
)

// config is built from defaults, then AGENTOPS_* and OTEL_* variables, then
// options, then validated and resolved (see newConfig).
type config struct {
	apiKey           string
	endpoint         string // API base; "" until resolved
	exporterEndpoint string // full OTLP traces URL; "" until resolved
	appURL           string // dashboard base; "" until resolved
	localDefault     bool   // nothing chose a destination: the local backend it is
	// otelOnly: only OTEL_EXPORTER_OTLP_* chose a destination, an OTel
	// backend with no AgentOps API beside it, so nothing is uploaded.
	otelOnly bool

	resourceAttrs []attribute.KeyValue
	sampler       sdktrace.Sampler
	tracerProv    *sdktrace.TracerProvider
	exporters     []sdktrace.SpanExporter
	// noDefaultExporter: no OTLP export to the AgentOps/local backend
	noDefaultExporter bool
	processors        []sdktrace.SpanProcessor
	batchTimeout      time.Duration // 0: not set by env or option
	maxQueueSize      int           // 0: not set by env or option
	exportTimeout     time.Duration // 0: the exporter's own default

	defaultTags     []string
	traceName       string
	autoStart       bool
	instrumentLLM   bool
	maxPayload      int
	captureLogs     bool
	level           TraceLevel
	captureContent  bool                // and a level that records content: see newConfig
	otelMessages    bool                // OTel JSON message form instead of AgentOps flat keys
	redactContent   func(string) string // the user's content redactor
	meterProvider   metric.MeterProvider
	metricsOff      bool   // OTEL_METRICS_EXPORTER=none
	metricsEndpoint string // resolved
	captureSources  bool
	captureStdio    bool
	sourceFS        fs.FS
	logLimits       logcapture.Limits
	sourceLimits    sources.Limits
	disabled        bool
	setGlobal       bool
	signalShutdown  time.Duration // > 0: shut down on SIGINT/SIGTERM within this
	logger          *slog.Logger
	logLevel        slog.Level
	errorHandler    func(error)
	onSessionEnd    []func(SessionEnd)

	// env-derived exporter settings (OTEL_EXPORTER_OTLP_*)
	caFile, certFile, keyFile string
	compressionFromEnv        bool // the exporter reads it itself

	// explicit records which settings an option (not the environment) made,
	// where that matters for validation.
	explicit struct{ sampler, resource bool }
	errs     []error
}

// Option configures Init. Options beat environment variables, which beat
// defaults.
type Option interface {
	apply(config) config
}

type optionFunc func(config) config

func (f optionFunc) apply(c config) config { return f(c) }

// WithAPIKey sets the AgentOps API key (AGENTOPS_API_KEY). With a key and no
// endpoint, the SDK sends to AgentOps cloud.
func WithAPIKey(key string) Option {
	return optionFunc(func(c config) config { c.apiKey = strings.TrimSpace(key); return c })
}

// WithEndpoint sets the API base URL (AGENTOPS_API_ENDPOINT), e.g. the
// address of `agentops serve`. When it is not AgentOps cloud and no exporter
// endpoint is set, spans go to its /v1/traces and session links to it too.
func WithEndpoint(u string) Option {
	return optionFunc(func(c config) config { c.endpoint = strings.TrimRight(u, "/"); return c })
}

// WithExporterEndpoint sets the full OTLP/HTTP traces URL, including its path
// (AGENTOPS_EXPORTER_ENDPOINT).
func WithExporterEndpoint(u string) Option {
	return optionFunc(func(c config) config { c.exporterEndpoint = u; return c })
}

// WithAppURL sets the dashboard base used by Session.URL (AGENTOPS_APP_URL).
func WithAppURL(u string) Option {
	return optionFunc(func(c config) config { c.appURL = strings.TrimRight(u, "/"); return c })
}

// WithExporter sends every span to exp as well, through a batch processor of
// its own; use it for a second OTLP backend, a console exporter or a test's
// in-memory exporter. It may be given any number of times.
func WithExporter(exp sdktrace.SpanExporter) Option {
	return optionFunc(func(c config) config { c.exporters = append(c.exporters, exp); return c })
}

// WithoutDefaultExporter sends no span to the AgentOps (or local) backend:
// only the exporters and processors given with WithExporter and
// WithSpanProcessor receive them, for programs that use another OTel backend
// only, and for tests.
func WithoutDefaultExporter() Option {
	return optionFunc(func(c config) config { c.noDefaultExporter = true; return c })
}

// WithSpanProcessor adds a span processor of the caller's. The Client shuts
// it down with its own.
func WithSpanProcessor(p sdktrace.SpanProcessor) Option {
	return optionFunc(func(c config) config { c.processors = append(c.processors, p); return c })
}

// WithTracerProvider joins the caller's TracerProvider instead of building
// one: the SDK adds its processors to tp, so the caller's spans and the
// SDK's share one trace and one pipeline. Shutdown removes and stops only the
// SDK's processors and leaves tp running. Resource and sampler options are
// the provider's business and are refused in this mode.
func WithTracerProvider(tp *sdktrace.TracerProvider) Option {
	return optionFunc(func(c config) config { c.tracerProv = tp; return c })
}

// WithServiceName sets the resource's service.name (OTEL_SERVICE_NAME);
// the default is "agentops", as the AgentOps SDKs send.
func WithServiceName(name string) Option {
	return WithResourceAttributes(attribute.String(semconv.ServiceName, name))
}

// WithResourceAttributes adds resource attributes (OTEL_RESOURCE_ATTRIBUTES).
func WithResourceAttributes(attrs ...attribute.KeyValue) Option {
	return optionFunc(func(c config) config {
		c.resourceAttrs = append(c.resourceAttrs, attrs...)
		c.explicit.resource = true
		return c
	})
}

// WithSampler sets the sampler (OTEL_TRACES_SAMPLER). Samplers that decide by
// trace ID keep or drop whole sessions, which is what you want.
func WithSampler(s sdktrace.Sampler) Option {
	return optionFunc(func(c config) config { c.sampler = s; c.explicit.sampler = true; return c })
}

// WithBatchTimeout sets how long spans wait before export
// (AGENTOPS_EXPORT_FLUSH_INTERVAL in ms, then OTEL_BSP_SCHEDULE_DELAY);
// the default is one second.
func WithBatchTimeout(d time.Duration) Option {
	return optionFunc(func(c config) config { c.batchTimeout = d; return c })
}

// WithMaxQueueSize bounds the spans waiting for export
// (AGENTOPS_MAX_QUEUE_SIZE, then OTEL_BSP_MAX_QUEUE_SIZE); past it new spans
// are dropped, never the agent slowed.
func WithMaxQueueSize(n int) Option {
	return optionFunc(func(c config) config { c.maxQueueSize = n; return c })
}

// WithDefaultTags adds tags to every session (AGENTOPS_DEFAULT_TAGS).
func WithDefaultTags(tags ...string) Option {
	return optionFunc(func(c config) config { c.defaultTags = append(c.defaultTags, tags...); return c })
}

// WithTraceName sets the session name used when StartSession gets "" and for
// the automatic session (AGENTOPS_TRACE_NAME); the default is "default".
func WithTraceName(name string) Option {
	return optionFunc(func(c config) config { c.traceName = name; return c })
}

// WithAutoStartSession makes Init start a session (AGENTOPS_AUTO_START_SESSION)
// that spans started without a parent join; Shutdown ends it. Off by default:
// in Go the context carries the session explicitly.
func WithAutoStartSession(on bool) Option {
	return optionFunc(func(c config) config { c.autoStart = on; return c })
}

// WithInstrumentLLMCalls turns LLM spans on or off
// (AGENTOPS_INSTRUMENT_LLM_CALLS); when off, KindLLM spans and the LLM
// wrappers record nothing. On by default.
func WithInstrumentLLMCalls(on bool) Option {
	return optionFunc(func(c config) config { c.instrumentLLM = on; return c })
}

// WithMaxPayloadBytes caps each recorded input or output; a larger value is
// replaced by a note of its size. The default is 64 KiB.
func WithMaxPayloadBytes(n int) Option {
	return optionFunc(func(c config) config { c.maxPayload = n; return c })
}

// WithContentCapture turns the recording of prompt and completion content
// (and of tool arguments and results, and at LevelDebug of raw HTTP bodies)
// on or off (AGENTOPS_CAPTURE_CONTENT,
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT). On by default: seeing
// what the model was asked and said is the point. Off, no level records
// content; on, LevelDetailed and LevelDebug do (see TraceLevel).
func WithContentCapture(on bool) Option {
	return optionFunc(func(c config) config { c.captureContent = on; return c })
}

// WithContentRedactor passes every recorded content text (prompts,
// completions, tool arguments and results) through fn first, to mask what
// must not leave the process beyond the secrets RedactSecrets masks, which
// it always does after fn.
func WithContentRedactor(fn func(string) string) Option {
	return optionFunc(func(c config) config { c.redactContent = fn; return c })
}

// WithGenAILatestExperimental writes message content in the OTel GenAI
// JSON form (gen_ai.input.messages, gen_ai.output.messages,
// gen_ai.system_instructions, gen_ai.tool.definitions) instead of the
// AgentOps flat keys, as OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental
// does. Scalar attributes are written in both vocabularies either way.
func WithGenAILatestExperimental() Option {
	return optionFunc(func(c config) config { c.otelMessages = true; return c })
}

// WithMeterProvider records the gen_ai.client.* metrics through mp instead
// of a MeterProvider of the SDK's own (which exports OTLP/HTTP metrics next
// to the spans, with the same token).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c config) config { c.meterProvider = mp; return c })
}

// WithLogCapture turns the capture of each session's log lines on or off
// (AGENTOPS_CAPTURE_LOGS). On by default: lines logged through
// NewSlogHandler or LogWriter (and the process's output under
// WithStdioCapture) are uploaded when the session ends.
func WithLogCapture(on bool) Option {
	return optionFunc(func(c config) config { c.captureLogs = on; return c })
}

// WithLogLimits bounds each session's captured log: past maxLines lines or
// maxBytes bytes the oldest lines are dropped, and the upload says how many.
// The defaults are 10000 lines and 4 MiB.
func WithLogLimits(maxLines, maxBytes int) Option {
	return optionFunc(func(c config) config {
		c.logLimits.MaxLines, c.logLimits.MaxBytes = maxLines, maxBytes
		return c
	})
}

// WithStdioCapture also captures what the process writes to its stdout and
// stderr, at file-descriptor level (fmt.Println, panics, child processes
// sharing them), still echoed to the terminal (AGENTOPS_CAPTURE_STDIO). Off
// by default; Linux, macOS and the BSDs only. Such lines belong to no
// session in particular, so they go to every session open at the time.
func WithStdioCapture(on bool) Option {
	return optionFunc(func(c config) config { c.captureStdio = on; return c })
}

// WithSourceCapture turns the upload of the program's source files on or
// off (AGENTOPS_CAPTURE_SOURCES). On by default: at the first session end
// the main module's .go files, go.mod and go.sum are uploaded (secrets
// skipped or redacted), and every session records which files ran.
func WithSourceCapture(on bool) Option {
	return optionFunc(func(c config) config { c.captureSources = on; return c })
}

// WithSourceFS gives the source files to upload, for binaries that run away
// from their source (containers, -trimpath builds): pass the bundle that
// `agentops sources` generates at build time.
func WithSourceFS(fsys fs.FS) Option {
	return optionFunc(func(c config) config { c.sourceFS = fsys; return c })
}

// WithSourceLimits caps the source upload: bytes per file (longer files are
// cut with a marker), bytes in all, and the number of files. The defaults
// are 1 MiB, 16 MiB and 1000 files.
func WithSourceLimits(maxFileBytes, maxTotalBytes, maxFiles int) Option {
	return optionFunc(func(c config) config {
		c.sourceLimits = sources.Limits{MaxFileBytes: maxFileBytes, MaxTotalBytes: maxTotalBytes, MaxFiles: maxFiles}
		return c
	})
}

// WithDisabled turns the SDK off (also OTEL_SDK_DISABLED=true): Init builds
// nothing, starts nothing, contacts nothing, and every span is a no-op.
func WithDisabled() Option {
	return optionFunc(func(c config) config { c.disabled = true; return c })
}

// WithGlobalTracerProvider also installs the Client's provider and the W3C
// propagators as the OTel globals. The SDK never touches globals otherwise.
func WithGlobalTracerProvider() Option {
	return optionFunc(func(c config) config { c.setGlobal = true; return c })
}

// WithShutdownOnSignal is for programs that do not handle signals
// themselves: on the first SIGINT or SIGTERM the Client ends every open
// session as Indeterminate, shuts down within timeout (so no span is lost),
// and then lets the signal terminate the process as it would have. Programs
// that handle signals should instead call Client.Shutdown on their way out.
func WithShutdownOnSignal(timeout time.Duration) Option {
	return optionFunc(func(c config) config { c.signalShutdown = timeout; return c })
}

// WithLogger sets where the SDK's diagnostics go. The default writes warnings
// and errors to stderr (AGENTOPS_LOG_LEVEL changes the level); the SDK never
// writes to stdout.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c config) config { c.logger = l; return c })
}

// WithErrorHandler receives every background failure (export, auth,
// upload) instead of the default, which logs each distinct failure once per
// minute. Use otel.Handle to route them to OTel's global handler.
func WithErrorHandler(h func(error)) Option {
	return optionFunc(func(c config) config { c.errorHandler = h; return c })
}

// WithOnSessionEnd calls fn after each session's root span ends, on the
// SDK's worker goroutine, never on the agent's. It may be given any number
// of times.
func WithOnSessionEnd(fn func(SessionEnd)) Option {
	return optionFunc(func(c config) config { c.onSessionEnd = append(c.onSessionEnd, fn); return c })
}

// newConfig builds the configuration: defaults, then the environment, then
// opts, then validation and endpoint resolution.
func newConfig(getenv func(string) string, opts []Option) (config, error) {
	c := config{
		traceName:      defaultTraceName,
		instrumentLLM:  true,
		maxPayload:     defaultMaxPayload,
		level:          LevelDetailed,
		captureLogs:    true,
		captureContent: true,
		captureSources: true,
		logLimits:      logcapture.DefaultLimits(),
		sourceLimits:   sources.DefaultLimits(),
		logLevel:       slog.LevelWarn,
	}
	c = c.fromEnv(getenv)
	for _, o := range opts {
		c = o.apply(c)
	}
	if err := c.validate(); err != nil {
		return c, err
	}
	// Below LevelDetailed nothing records content, whatever the switch
	// says: folded in here, every place that records content (LLM spans,
	// tools, bridges) follows the level by reading the one field.
	c.captureContent = c.captureContent && c.level >= LevelDetailed
	c.resolveEndpoints(getenv)
	c.metricsEndpoint = metricsEndpoint(getenv, c.exporterEndpoint)
	if c.batchTimeout == 0 && getenv("OTEL_BSP_SCHEDULE_DELAY") == "" {
		c.batchTimeout = defaultBatchTimeout
	}
	return c, nil
}

// fromEnv applies AGENTOPS_* variables and the OTEL_* ones the OTel SDK
// pieces we use do not read themselves. Malformed values are collected as
// errors for validate.
func (c config) fromEnv(getenv func(string) string) config {
	str := func(key string, dst *string) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			*dst = v
		}
	}
	boolean := func(key string, dst *bool) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			*dst = parseBool(v)
		}
	}
	integer := func(key string, dst *int) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				c.errs = append(c.errs, fmt.Errorf("%s=%q is not a positive integer", key, v))
				return
			}
			*dst = n
		}
	}
	str("AGENTOPS_API_KEY", &c.apiKey)
	str("AGENTOPS_API_ENDPOINT", &c.endpoint)
	str("AGENTOPS_EXPORTER_ENDPOINT", &c.exporterEndpoint)
	str("AGENTOPS_APP_URL", &c.appURL)
	str("AGENTOPS_TRACE_NAME", &c.traceName)
	boolean("AGENTOPS_AUTO_START_SESSION", &c.autoStart)
	boolean("AGENTOPS_INSTRUMENT_LLM_CALLS", &c.instrumentLLM)
	boolean("OTEL_SDK_DISABLED", &c.disabled)
	boolean("AGENTOPS_CAPTURE_LOGS", &c.captureLogs)
	boolean("AGENTOPS_CAPTURE_SOURCES", &c.captureSources)
	boolean("AGENTOPS_CAPTURE_STDIO", &c.captureStdio)
	if v := getenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"); v != "" {
		c.captureContent = parseContentMode(v)
	}
	boolean("AGENTOPS_CAPTURE_CONTENT", &c.captureContent)
	c.otelMessages = strings.Contains(getenv("OTEL_SEMCONV_STABILITY_OPT_IN"), "gen_ai_latest_experimental")
	c.metricsOff = strings.EqualFold(strings.TrimSpace(getenv("OTEL_METRICS_EXPORTER")), "none")
	if v := getenv("AGENTOPS_DEFAULT_TAGS"); v != "" {
		c.defaultTags = splitList(v)
	}
	var flushMS int
	if integer("AGENTOPS_EXPORT_FLUSH_INTERVAL", &flushMS); flushMS > 0 {
		c.batchTimeout = time.Duration(flushMS) * time.Millisecond
	}
	integer("AGENTOPS_MAX_QUEUE_SIZE", &c.maxQueueSize)
	if v := getenv("AGENTOPS_TRACE_LEVEL"); strings.TrimSpace(v) != "" {
		if l, err := ParseTraceLevel(v); err != nil {
			c.errs = append(c.errs, fmt.Errorf("AGENTOPS_TRACE_LEVEL=%q is not one of minimal, standard, detailed, debug", v))
		} else {
			c.level = l
		}
	}
	if v := getenv("AGENTOPS_LOG_LEVEL"); v != "" {
		lvl, err := parseLevel(v)
		if err != nil {
			c.errs = append(c.errs, err)
		}
		c.logLevel = lvl
	}
	c.compressionFromEnv = getenv("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION") != "" || getenv("OTEL_EXPORTER_OTLP_COMPRESSION") != ""
	// The OTLP exporter reads its other OTEL_EXPORTER_OTLP_* variables
	// (headers, compression, protocol) itself; these it cannot, because the
	// SDK hands it an HTTP client of its own for the bearer token.
	for _, key := range []string{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"} {
		var ms int
		if integer(key, &ms); ms > 0 {
			c.exportTimeout = time.Duration(ms) * time.Millisecond
			break
		}
	}
	for _, f := range []struct {
		dst  *string
		keys []string
	}{
		{&c.caFile, []string{"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "OTEL_EXPORTER_OTLP_CERTIFICATE"}},
		{&c.certFile, []string{"OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE"}},
		{&c.keyFile, []string{"OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY", "OTEL_EXPORTER_OTLP_CLIENT_KEY"}},
	} {
		for _, k := range f.keys {
			if str(k, f.dst); *f.dst != "" {
				break
			}
		}
	}
	return c
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (c config) validate() error {
	errs := c.errs
	if c.apiKey != "" && !uuidRE.MatchString(c.apiKey) {
		errs = append(errs, errors.New("the API key (AGENTOPS_API_KEY or WithAPIKey) is not an AgentOps key: expected a UUID such as 123e4567-e89b-12d3-a456-426614174000"))
	}
	for name, u := range map[string]string{"API endpoint": c.endpoint, "exporter endpoint": c.exporterEndpoint, "app URL": c.appURL} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("the %s %q is not an http(s) URL", name, u))
		}
	}
	if c.tracerProv != nil && (c.explicit.sampler || c.explicit.resource) {
		errs = append(errs, errors.New("WithSampler, WithServiceName and WithResourceAttributes configure a TracerProvider the SDK builds; with WithTracerProvider set them on your provider"))
	}
	if (c.certFile == "") != (c.keyFile == "") {
		errs = append(errs, errors.New("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY must be set together"))
	}
	if c.logLimits.MaxLines <= 0 || c.logLimits.MaxBytes <= 0 {
		errs = append(errs, fmt.Errorf("WithLogLimits(%d, %d): both limits must be positive", c.logLimits.MaxLines, c.logLimits.MaxBytes))
	}
	if l := c.sourceLimits; l.MaxFileBytes <= 0 || l.MaxTotalBytes <= 0 || l.MaxFiles <= 0 {
		errs = append(errs, fmt.Errorf("WithSourceLimits(%d, %d, %d): every limit must be positive", l.MaxFileBytes, l.MaxTotalBytes, l.MaxFiles))
	}
	if !c.level.valid() {
		errs = append(errs, fmt.Errorf("WithTraceLevel(%s): use LevelMinimal, LevelStandard, LevelDetailed or LevelDebug", c.level))
	}
	if c.maxPayload <= 0 {
		errs = append(errs, fmt.Errorf("WithMaxPayloadBytes(%d): the cap must be positive", c.maxPayload))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
}

// resolveEndpoints fills the three URLs. An explicit API endpoint that is
// not AgentOps cloud is taken to be `agentops serve` (or another server with
// its single-port layout), so one setting points everything at it. The
// OTEL_EXPORTER_OTLP_* endpoints come next, then AgentOps cloud when a key is
// set, then the local backend.
func (c *config) resolveEndpoints(getenv func(string) string) {
	explicitAPI := c.endpoint != ""
	switch {
	case explicitAPI:
	case c.apiKey != "":
		c.endpoint = CloudAPIEndpoint
	default:
		c.endpoint = LocalEndpoint
	}
	cloud := c.endpoint == CloudAPIEndpoint
	if c.exporterEndpoint == "" {
		switch {
		case explicitAPI && !cloud:
			c.exporterEndpoint = c.endpoint + "/v1/traces"
		case getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "":
			c.exporterEndpoint = getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
			c.otelOnly = !explicitAPI && c.apiKey == ""
		case getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "":
			c.exporterEndpoint = strings.TrimRight(getenv("OTEL_EXPORTER_OTLP_ENDPOINT"), "/") + "/v1/traces"
			c.otelOnly = !explicitAPI && c.apiKey == ""
		case cloud:
			c.exporterEndpoint = CloudExporterEndpoint
		default:
			c.exporterEndpoint = c.endpoint + "/v1/traces"
			c.localDefault = !explicitAPI
		}
	}
	if c.appURL == "" {
		if cloud {
			c.appURL = CloudAppURL
		} else {
			c.appURL = c.endpoint
		}
	}
}

// hasAgentOpsBackend reports whether the spans go to an AgentOps backend
// (cloud or agentops serve) that has a dashboard to link to: not when
// WithoutDefaultExporter, nor when only OTEL_EXPORTER_OTLP_* chose where
// they go.
func (c *config) hasAgentOpsBackend() bool { return !c.noDefaultExporter && !c.otelOnly }

// parseContentMode reads OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT:
// true/false, or NO_CONTENT, SPAN_ONLY, EVENT_ONLY, SPAN_AND_EVENT. The SDK
// records content on spans only, so the modes without spans turn it off.
func parseContentMode(v string) bool {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "SPAN_ONLY", "SPAN_AND_EVENT":
		return true
	case "NO_CONTENT", "EVENT_ONLY":
		return false
	}
	return parseBool(v)
}

// exportTimeoutOrDefault is the OTLP request timeout.
func (c config) exportTimeoutOrDefault() time.Duration {
	if c.exportTimeout > 0 {
		return c.exportTimeout
	}
	return defaultExportTimeout
}

// parseBool reads booleans the way the AgentOps SDKs do: true, 1, t and yes
// in any case are true; anything else is false.
func parseBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "t", "yes":
		return true
	}
	return false
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// levelOff is above every level the SDK logs at.
const levelOff = slog.Level(100)

func parseLevel(v string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "DEBUG":
		return slog.LevelDebug, nil
	case "INFO":
		return slog.LevelInfo, nil
	case "WARN", "WARNING":
		return slog.LevelWarn, nil
	case "ERROR", "CRITICAL":
		return slog.LevelError, nil
	case "OFF", "NONE", "SILENT":
		return levelOff, nil
	}
	return slog.LevelWarn, fmt.Errorf("AGENTOPS_LOG_LEVEL=%q is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL, OFF", v)
}
