using System.Diagnostics;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Grpc;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// SIGTERM to the host running as its own process: calls in flight finish inside the drain
/// time, calls that arrive afterwards never reach an upstream, and the process exits 0.
/// </summary>
public sealed class ShutdownTests() : HostProcessTest(new FakeSumsub { ClientId = "shutdown-client" })
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan UpstreamDelay = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Sigterm_drains_in_flight_calls_refuses_new_ones_and_exits_zero()
    {
        Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(200, """{"token":"_act-slow","forClientId":"partner"}""") with { Delay = UpstreamDelay });
        await using var host = await StartHostAsync(new Dictionary<string, string>
        {
            ["Shutdown__DrainTimeout"] = "00:00:20",
        });
        using var client = new GrpcWireClient(host.Address!);
        var request = new GenerateShareTokenRequest { ApplicantId = "5f1c0ffee0ddba11", ForClientId = "partner" };

        var inFlight = Enumerable.Range(0, 5).Select(_ => client.GenerateShareToken(request, TimeSpan.FromSeconds(50))).ToList();
        await Sumsub.WaitForRequestsAsync(5, Patience);
        host.Terminate();
        await host.WaitForOutputAsync("Application is shutting down", Patience);

        // "Application is shutting down" is logged by an ApplicationStopping callback that can run
        // just before the one that makes the server refuse calls, so a call right after the line
        // may still be admitted (and then runs to completion like any in-flight call). New calls
        // are sent until one is refused; every one is either refused or completed, none cut off.
        var admitted = 0;
        string late;
        using (var limit = new CancellationTokenSource(Patience))
        {
            while ((late = await CallAfterShutdownBegan(client, request)) == "OK")
            {
                admitted++;
                limit.Token.ThrowIfCancellationRequested();
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"Calls admitted after the shutdown line: {admitted}; then: {late}");
        var drained = await Task.WhenAll(inFlight);
        var exitCode = await host.WaitForExitAsync(Patience);

        drained.Should().OnlyContain(c => c.StatusCode == 0 && c.Response!.Token == "_act-slow", "in-flight calls finish inside the drain time");
        late.Should().BeOneOf("UNAVAILABLE", "REFUSED");
        admitted.Should().BeLessThanOrEqualTo(1, "only a call racing the stopping signal can still be admitted");
        Sumsub.Requests.Should().HaveCount(5 + admitted, "a refused call never reaches an upstream");
        exitCode.Should().Be(0);
    }

    /// <summary>
    /// What a new call gets once shutdown has begun: UNAVAILABLE from the service while the
    /// listener still accepts, a refused connection/stream once Kestrel has stopped listening,
    /// or OK if it raced the stopping signal and was admitted.
    /// </summary>
    private static async Task<string> CallAfterShutdownBegan(GrpcWireClient client, GenerateShareTokenRequest request)
    {
        try
        {
            var call = await client.GenerateShareToken(request, TimeSpan.FromSeconds(30));
            return call.StatusCode switch
            {
                0 => "OK",
                14 => "UNAVAILABLE",
                _ => $"status {call.StatusCode}",
            };
        }
        catch (HttpRequestException)
        {
            return "REFUSED";
        }
    }
}
