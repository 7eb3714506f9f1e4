using System.Diagnostics;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Grpc;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// SIGTERM to the host running as its own process: calls in flight finish inside the drain
/// time, calls that arrive afterwards never reach an upstream, and the process exits 0.
/// </summary>
public sealed class ShutdownTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan UpstreamDelay = TimeSpan.FromSeconds(2);

    private readonly FakeSumsub _sumsub = new() { ClientId = "shutdown-client" };
    private readonly FakeBanxa _banxa = new();
    private readonly DirectoryInfo _workingDirectory = Directory.CreateTempSubdirectory("identitysharing-shutdown-");

    public async ValueTask InitializeAsync()
    {
        await _sumsub.StartAsync(TestContext.Current.CancellationToken);
        await _banxa.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _sumsub.DisposeAsync();
        await _banxa.DisposeAsync();
        _workingDirectory.Delete(recursive: true);
    }

    [Fact]
    public async Task Sigterm_drains_in_flight_calls_refuses_new_ones_and_exits_zero()
    {
        _sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(200, """{"token":"_act-slow","forClientId":"partner"}""") with { Delay = UpstreamDelay });
        await using var host = await HostProcess.StartAsync(_sumsub, _banxa, _workingDirectory.FullName, new Dictionary<string, string>
        {
            ["Shutdown__DrainTimeout"] = "00:00:20",
        });
        using var client = new GrpcWireClient(host.Address);
        var request = new GenerateShareTokenRequest { ApplicantId = "5f1c0ffee0ddba11", ForClientId = "partner" };

        var inFlight = Enumerable.Range(0, 5).Select(_ => client.GenerateShareToken(request, TimeSpan.FromSeconds(50))).ToList();
        await _sumsub.WaitForRequestsAsync(5, Patience);
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
        _sumsub.Requests.Should().HaveCount(5 + admitted, "a refused call never reaches an upstream");
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

/// <summary>
/// The built host started with <c>dotnet IdentitySharing.Host.dll</c> in a working directory of
/// the test's choosing (its SQLite file lives under <c>data/</c> there), configured by
/// environment variables to use the test's fake upstreams.
/// </summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly Lock _outputLock = new();

    private HostProcess(Process process) => _process = process;

    public Uri Address { get; private set; } = null!;

    public static async Task<HostProcess> StartAsync(FakeSumsub sumsub, FakeBanxa banxa, string workingDirectory, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IdentitySharing.Host.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        var environment = start.Environment;
        environment["DOTNET_ENVIRONMENT"] = "Production";
        environment["Sumsub__Accounts__main__AppToken"] = sumsub.AppToken;
        environment["Sumsub__Accounts__main__SecretKey"] = sumsub.SecretKey;
        environment["Sumsub__Accounts__main__BaseUrl"] = sumsub.BaseUrl.ToString();
        environment["Sumsub__Accounts__main__ClientId"] = sumsub.ClientId;
        environment["Sumsub__DefaultAccount"] = "main";
        environment["Banxa__BaseUrl"] = banxa.BaseUrl.ToString();
        environment["Banxa__ApiKey"] = banxa.ApiKey;
        environment["Banxa__ApiSecret"] = banxa.ApiSecret;
        environment["Auth__AllowAnonymous"] = "true";
        environment["Logging__Format"] = "simple";
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The host process did not start.");
        var host = new HostProcess(process);
        process.OutputDataReceived += (_, e) => host.Record(e.Data);
        process.ErrorDataReceived += (_, e) => host.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var listening = await host.WaitForOutputAsync("Now listening on: ", Patience);
        host.Address = new Uri(listening[(listening.IndexOf("http://", StringComparison.Ordinal))..].Trim());
        return host;
    }

    /// <summary>Sends SIGTERM, as a container runtime or systemd does (Process.Kill would send SIGKILL).</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        kill.ExitCode.Should().Be(0);
    }

    /// <summary>SIGKILL: the process dies at once, mid-call, with nothing flushed by the service.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(limit.Token);
        return _process.ExitCode;
    }

    /// <summary>The first output line containing <paramref name="text"/>; fails with the output so far after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            lock (_outputLock)
            {
                var line = _output.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
                if (line is not null)
                {
                    return line;
                }
                if (clock.Elapsed > timeout || _process.HasExited)
                {
                    throw new TimeoutException($"No \"{text}\" from the host. Output:{Environment.NewLine}{string.Join(Environment.NewLine, _output)}");
                }
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_outputLock)
        {
            _output.Add(line);
        }
    }
}
