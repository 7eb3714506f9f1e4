using IdentitySharing.Host.Telemetry;

namespace IdentitySharing.Host.Tests;

public sealed class UrlRedactionTests
{
    [Theory]
    [InlineData("https://api.sumsub.com/resources/applicants/-/import?shareToken=_act-secret", "https://api.sumsub.com/resources/applicants/-/import?REDACTED")]
    [InlineData("https://api.sumsub.com/a#fragment", "https://api.sumsub.com/a?REDACTED")]
    [InlineData("https://api.sumsub.com/resources/accessTokens/shareToken", "https://api.sumsub.com/resources/accessTokens/shareToken")]
    public void Query_strings_and_fragments_are_cut_from_urls(string url, string expected) =>
        UrlRedactionProcessor.Redact(url).Should().Be(expected);

    [Fact]
    public void A_finished_span_loses_its_query_strings_before_export()
    {
        using var activity = new System.Diagnostics.Activity("POST");
        activity.SetTag("url.full", "http://127.0.0.1:1/import?shareToken=_act-secret");
        activity.SetTag("url.query", "shareToken=_act-secret");
        using var processor = new UrlRedactionProcessor();

        processor.OnEnd(activity);

        activity.GetTagItem("url.full").Should().Be("http://127.0.0.1:1/import?REDACTED");
        activity.GetTagItem("url.query").Should().Be("REDACTED");
    }
}

public sealed class OpenTelemetryExportTests
{
    [Theory]
    [InlineData(null, null, null, false)]
    [InlineData("http://collector:4318", null, null, true)]
    [InlineData(null, "http://collector:4318/v1/traces", null, true)]
    [InlineData("http://collector:4318", null, "true", false)]
    public void Export_is_on_only_when_an_otlp_endpoint_is_configured_and_the_sdk_is_not_disabled(string? endpoint, string? tracesEndpoint, string? disabled, bool expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint,
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = tracesEndpoint,
            ["OTEL_SDK_DISABLED"] = disabled,
        }).Build();

        OpenTelemetryExport.IsEnabled(configuration).Should().Be(expected);
    }
}
