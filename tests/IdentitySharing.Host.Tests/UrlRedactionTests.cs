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

    [Theory]
    [InlineData("https://api.sumsub.com/resources/applicants/-;externalUserId=probe.user%40example.com/one", "https://api.sumsub.com/resources/applicants/-;externalUserId=REDACTED/one")]
    [InlineData("/resources/applicants/-;externalUserId=customer%2042%2F%C3%BC/one", "/resources/applicants/-;externalUserId=REDACTED/one")]
    [InlineData("https://h/a;x=1;y=2/b;z=3", "https://h/a;x=REDACTED;y=REDACTED/b;z=REDACTED")]
    [InlineData("https://h/a;secret/b;=v/c;/d", "https://h/a;REDACTED/b;REDACTED/c;/d")]
    [InlineData("https://h/a;externalUserId=u-1/one?shareToken=_act-secret;x=y", "https://h/a;externalUserId=REDACTED/one?REDACTED")]
    [InlineData("https://api.sumsub.com/resources/applicants/-/import", "https://api.sumsub.com/resources/applicants/-/import")]
    [InlineData("GET", "GET")]
    [InlineData("identitysharing.v1.IdentitySharingService/ImportApplicant", "identitysharing.v1.IdentitySharingService/ImportApplicant")]
    public void Path_matrix_parameter_values_are_replaced_and_the_rest_of_the_path_kept(string url, string expected) =>
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

    [Fact]
    public void A_finished_span_loses_the_external_user_id_from_every_url_attribute_and_its_name()
    {
        const string userId = "probe.user%40example.com";
        using var activity = new System.Diagnostics.Activity("System.Net.Http.HttpRequestOut");
        activity.DisplayName = $"GET /resources/applicants/-;externalUserId={userId}/one";
        activity.SetTag("url.full", $"http://127.0.0.1:1/resources/applicants/-;externalUserId={userId}/one");
        activity.SetTag("url.path", $"/resources/applicants/-;externalUserId={userId}/one");
        activity.SetTag("http.url", $"http://127.0.0.1:1/resources/applicants/-;externalUserId={userId}/one");
        activity.SetTag("http.target", $"/resources/applicants/-;externalUserId={userId}/one");
        activity.SetTag("server.address", "127.0.0.1");
        using var processor = new UrlRedactionProcessor();

        processor.OnEnd(activity);

        activity.GetTagItem("url.full").Should().Be("http://127.0.0.1:1/resources/applicants/-;externalUserId=REDACTED/one");
        activity.GetTagItem("url.path").Should().Be("/resources/applicants/-;externalUserId=REDACTED/one");
        activity.GetTagItem("http.url").Should().Be("http://127.0.0.1:1/resources/applicants/-;externalUserId=REDACTED/one");
        activity.GetTagItem("http.target").Should().Be("/resources/applicants/-;externalUserId=REDACTED/one");
        activity.DisplayName.Should().Be("GET /resources/applicants/-;externalUserId=REDACTED/one");
        activity.GetTagItem("server.address").Should().Be("127.0.0.1");
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
