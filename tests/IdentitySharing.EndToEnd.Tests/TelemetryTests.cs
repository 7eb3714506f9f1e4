using System.Diagnostics;
using IdentitySharing.Contracts.V1;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>Spans and metrics reach an OTLP/HTTP receiver with the RPC semantic convention attributes; the caller's trace reaches the upstream.</summary>
public sealed class TelemetryTests(TelemetryHostFixture host) : IClassFixture<TelemetryHostFixture>
{
    private static readonly TimeSpan ExportWait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_callers_traceparent_parents_the_rpc_span_and_reaches_the_upstream_request()
    {
        host.Reset();
        var traceId = ActivityTraceId.CreateRandom();
        var parentSpanId = ActivitySpanId.CreateRandom();
        var traceparent = $"00-{traceId.ToHexString()}-{parentSpanId.ToHexString()}-01";

        var result = await host.Client.CallAsync(
            "/identitysharing.v1.IdentitySharingService/GenerateShareToken",
            new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner" },
            GenerateShareTokenResponse.Parser,
            [new("traceparent", traceparent)]);

        result.StatusCode.Should().Be(0, result.StatusMessage);
        var upstream = host.Sumsub.Requests.Should().ContainSingle(r => r.Path == Testing.Upstreams.FakeSumsub.ShareTokenPath).Subject;
        upstream.Header("traceparent").Should().StartWith($"00-{traceId.ToHexString()}-");

        var traceIdBytes = new byte[16];
        traceId.CopyTo(traceIdBytes);
        var traceIdOnWire = TelemetryReceiver.Latin1(traceIdBytes);
        var spanNames = new[]
        {
            "identitysharing.v1.IdentitySharingService/GenerateShareToken", // the server span
            "GenerateShareTokenCommand",                                     // the command span
            "url.full",                                                       // the upstream client span
        };
        var arrived = await host.Receiver.WaitUntilAsync(r => r.Traces.Contains(traceIdOnWire) && spanNames.All(r.Traces.Contains), ExportWait);

        arrived.Should().BeTrue("the spans of the call are exported");
        var traces = host.Receiver.Traces;
        foreach (var expected in new[] { "rpc.system", "grpc", "rpc.service", "identitysharing.v1.IdentitySharingService", "rpc.method", "rpc.grpc.status_code", "identity-sharing-e2e", "identitysharing.caller" })
        {
            traces.Should().Contain(expected);
        }
        traces.Should().Contain(TelemetryReceiver.Latin1(Convert.FromHexString(parentSpanId.ToHexString())), "the server span's parent is the caller's span");
    }

    [Fact]
    public async Task Rpc_and_upstream_durations_are_exported_as_metrics()
    {
        host.Reset();
        await host.Client.GenerateShareToken(new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner" });

        var names = new[] { "rpc.server.call.duration", "http.client.request.duration", "rpc.grpc.status_code", "rpc.method", "GenerateShareToken" };
        var arrived = await host.Receiver.WaitUntilAsync(r => names.All(r.Metrics.Contains), ExportWait);

        arrived.Should().BeTrue("the metrics are exported; got: " + string.Join(", ", names.Where(n => !host.Receiver.Metrics.Contains(n))));
    }

    [Fact]
    public async Task Share_tokens_in_upstream_urls_never_reach_the_exported_spans()
    {
        host.Reset();
        const string token = "_act-telemetry-probe-token-5d1c";
        var result = await host.Client.ImportApplicant(new ImportApplicantRequest { ShareToken = token, UserId = "u-telemetry" });
        result.StatusCode.Should().Be(0, result.StatusMessage);

        var arrived = await host.Receiver.WaitUntilAsync(r => r.Traces.Contains(Testing.Upstreams.FakeSumsub.ImportPath) && r.Traces.Contains("ImportApplicantCommand"), ExportWait);

        arrived.Should().BeTrue("the import's spans are exported");
        host.Receiver.Traces.Should().NotContain(token);
        host.Receiver.Traces.Should().NotContain("shareToken=");
    }

    [Fact]
    public async Task External_user_ids_in_upstream_url_paths_never_reach_the_exported_spans_or_the_logs()
    {
        host.Reset();
        // Callers may use an email address as the external user id. A lost import answer makes the
        // service look the applicant up by it: GET /resources/applicants/-;externalUserId=<id>/one.
        const string userId = "telemetry.probe+5e0b@example.com";
        var escaped = Uri.EscapeDataString(userId);
        host.Sumsub.Script("POST", Testing.Upstreams.FakeSumsub.ImportPath, Testing.Upstreams.ScriptedResponse.WithFault(Testing.Upstreams.FaultMode.ResetMidResponse));

        var result = await host.Client.ImportApplicant(new ImportApplicantRequest { ShareToken = "_act-telemetry-lookup", UserId = userId });

        result.StatusCode.Should().Be(14, result.StatusMessage);
        host.Sumsub.Requests.Should().Contain(r => r.Method == "GET" && r.Target == Testing.Upstreams.FakeSumsub.ApplicantByExternalUserIdPath(escaped),
            "the reconciliation looked the applicant up by its external user id");
        var arrived = await host.Receiver.WaitUntilAsync(r => r.Traces.Contains("/resources/applicants/-;externalUserId=") && r.Traces.Contains("ImportApplicantCommand"), ExportWait);

        arrived.Should().BeTrue("the lookup's client span is exported");
        var traces = host.Receiver.Traces;
        traces.Should().Contain("/resources/applicants/-;externalUserId=REDACTED/one", "the path stays, the user id is replaced");
        foreach (var leaked in new[] { userId, escaped, "telemetry.probe", "externalUserId=" + escaped[..4] })
        {
            traces.Should().NotContain(leaked);
        }
        var logs = host.Logs.AllText;
        logs.Should().NotBeEmpty();
        logs.Should().NotContain(userId).And.NotContain(escaped).And.NotContain("telemetry.probe");
        result.StatusMessage.Should().NotContain("telemetry.probe");
        result.StatusDetails!.ToString().Should().NotContain("telemetry.probe");
    }
}
