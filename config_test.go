package agentops

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestEndpointResolution(t *testing.T) {
	for _, tc := range []struct {
		name               string
		env                map[string]string
		opts               []Option
		api, exporter, app string
		localDefault       bool
		otelOnly           bool
	}{
		{name: "nothing set: the local backend",
			api: LocalEndpoint, exporter: LocalEndpoint + "/v1/traces", app: LocalEndpoint, localDefault: true},
		{name: "a key: AgentOps cloud",
			env: map[string]string{"AGENTOPS_API_KEY": testKey},
			api: CloudAPIEndpoint, exporter: CloudExporterEndpoint, app: CloudAppURL},
		{name: "an endpoint: everything there",
			env: map[string]string{"AGENTOPS_API_KEY": testKey, "AGENTOPS_API_ENDPOINT": "http://box:7318"},
			api: "http://box:7318", exporter: "http://box:7318/v1/traces", app: "http://box:7318"},
		{name: "the option beats the variable",
			env:  map[string]string{"AGENTOPS_API_ENDPOINT": "http://env:1"},
			opts: []Option{WithEndpoint("http://opt:2/")},
			api:  "http://opt:2", exporter: "http://opt:2/v1/traces", app: "http://opt:2"},
		{name: "each URL on its own",
			env: map[string]string{"AGENTOPS_API_KEY": testKey, "AGENTOPS_EXPORTER_ENDPOINT": "https://collector/x",
				"AGENTOPS_APP_URL": "https://dash"},
			api: CloudAPIEndpoint, exporter: "https://collector/x", app: "https://dash"},
		{name: "OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces",
			env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318/"},
			api: LocalEndpoint, exporter: "http://otel:4318/v1/traces", app: LocalEndpoint, otelOnly: true},
		{name: "the traces variable is used as is and beats the general one",
			env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318",
				"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://otel:4318/custom"},
			api: LocalEndpoint, exporter: "http://otel:4318/custom", app: LocalEndpoint, otelOnly: true},
		{name: "AGENTOPS_EXPORTER_ENDPOINT beats OTEL_*",
			env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318",
				"AGENTOPS_EXPORTER_ENDPOINT": "http://mine/v1/traces"},
			api: LocalEndpoint, exporter: "http://mine/v1/traces", app: LocalEndpoint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newConfig(envOf(tc.env), tc.opts)
			require.NoError(t, err)
			assert.Equal(t, tc.api, c.endpoint)
			assert.Equal(t, tc.exporter, c.exporterEndpoint)
			assert.Equal(t, tc.app, c.appURL)
			assert.Equal(t, tc.localDefault, c.localDefault)
			assert.Equal(t, tc.otelOnly, c.otelOnly)
			assert.Equal(t, tc.localDefault, strings.Contains(exportHint(c), "agentops serve"))
		})
	}
}

func TestEnvSettings(t *testing.T) {
	c, err := newConfig(envOf(map[string]string{
		"AGENTOPS_DEFAULT_TAGS":          " a, b ,,c ",
		"AGENTOPS_TRACE_NAME":            "nightly",
		"AGENTOPS_AUTO_START_SESSION":    "T",
		"AGENTOPS_INSTRUMENT_LLM_CALLS":  "no",
		"AGENTOPS_EXPORT_FLUSH_INTERVAL": "250",
		"AGENTOPS_MAX_QUEUE_SIZE":        "99",
		"AGENTOPS_LOG_LEVEL":             "debug",
		"OTEL_EXPORTER_OTLP_TIMEOUT":     "2500",
		"OTEL_SDK_DISABLED":              "1",
		"AGENTOPS_CAPTURE_LOGS":          "false",
		"AGENTOPS_CAPTURE_SOURCES":       "0",
		"AGENTOPS_CAPTURE_STDIO":         "true",
	}), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b", "c"}, c.defaultTags)
	assert.Equal(t, "nightly", c.traceName)
	assert.True(t, c.autoStart)
	assert.False(t, c.instrumentLLM)
	assert.Equal(t, 250*time.Millisecond, c.batchTimeout)
	assert.Equal(t, 99, c.maxQueueSize)
	assert.Equal(t, slog.LevelDebug, c.logLevel)
	assert.Equal(t, 2500*time.Millisecond, c.exportTimeout)
	assert.True(t, c.disabled)
	assert.False(t, c.captureLogs)
	assert.False(t, c.captureSources)
	assert.True(t, c.captureStdio)

	opt, err := newConfig(envOf(map[string]string{"AGENTOPS_EXPORT_FLUSH_INTERVAL": "250", "AGENTOPS_TRACE_NAME": "env"}),
		[]Option{WithBatchTimeout(time.Second * 3), WithTraceName("opt")})
	require.NoError(t, err)
	assert.Equal(t, 3*time.Second, opt.batchTimeout, "options beat variables")
	assert.Equal(t, "opt", opt.traceName)
}

func TestDefaults(t *testing.T) {
	c, err := newConfig(envOf(nil), nil)
	require.NoError(t, err)
	assert.Equal(t, time.Second, c.batchTimeout, "AgentOps' one-second flush")
	assert.Equal(t, slog.LevelWarn, c.logLevel, "quiet by default")
	assert.True(t, c.instrumentLLM)
	assert.False(t, c.autoStart)
	assert.Equal(t, "default", c.traceName)
	assert.True(t, c.captureLogs, "log capture is on by default")
	assert.True(t, c.captureSources, "source capture is on by default, as the feature request asks")
	assert.False(t, c.captureStdio, "stdio capture is opt-in")

	otel, err := newConfig(envOf(map[string]string{"OTEL_BSP_SCHEDULE_DELAY": "7000"}), nil)
	require.NoError(t, err)
	assert.Zero(t, otel.batchTimeout, "left to the batch processor, which reads OTEL_BSP_SCHEDULE_DELAY")
}

func TestParseBool(t *testing.T) {
	for v, want := range map[string]bool{"true": true, "TRUE": true, "1": true, "t": true, "Yes": true,
		"false": false, "0": false, "no": false, "on": false, "": false} {
		assert.Equal(t, want, parseBool(v), v)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		opts []Option
		want string
	}{
		{"key not a UUID", map[string]string{"AGENTOPS_API_KEY": "sk-not-a-uuid-0123456789"}, nil, "expected a UUID"},
		{"endpoint without scheme", nil, []Option{WithEndpoint("localhost:7318")}, "not an http(s) URL"},
		{"bad exporter URL", map[string]string{"AGENTOPS_EXPORTER_ENDPOINT": "ftp://x/v1/traces"}, nil, "exporter endpoint"},
		{"bad number", map[string]string{"AGENTOPS_MAX_QUEUE_SIZE": "lots"}, nil, "AGENTOPS_MAX_QUEUE_SIZE"},
		{"bad level", map[string]string{"AGENTOPS_LOG_LEVEL": "loud"}, nil, "AGENTOPS_LOG_LEVEL"},
		{"half a client certificate", map[string]string{"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": "/c.pem"}, nil, "set together"},
		{"non-positive payload cap", nil, []Option{WithMaxPayloadBytes(0)}, "must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := newConfig(envOf(tc.env), tc.opts)
			require.ErrorIs(t, err, ErrInvalidConfig)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "sk-not-a-uuid", "a bad key is not echoed")
		})
	}
}

func TestInitRejectsBadConfigWithoutStartingAnything(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", "/does/not/exist.pem")
	c, err := Init(t.Context())
	require.ErrorIs(t, err, ErrInvalidConfig)
	assert.Nil(t, c)
	assert.Nil(t, Default())
}

func TestMetricsSettings(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{nil, LocalEndpoint + "/v1/metrics"},
		{map[string]string{"AGENTOPS_API_KEY": testKey}, "https://otlp.agentops.ai/v1/metrics"},
		{map[string]string{"AGENTOPS_EXPORTER_ENDPOINT": "https://collector:4318/custom"}, "https://collector:4318/v1/metrics"},
		{map[string]string{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://m:9/x"}, "http://m:9/x"},
	} {
		c, err := newConfig(envOf(tc.env), nil)
		require.NoError(t, err)
		assert.Equal(t, tc.want, c.metricsEndpoint, "%v", tc.env)
		assert.False(t, c.metricsOff)
	}
	off, err := newConfig(envOf(map[string]string{"OTEL_METRICS_EXPORTER": "none"}), nil)
	require.NoError(t, err)
	assert.True(t, off.metricsOff)
}
