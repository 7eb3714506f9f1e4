using System.Diagnostics;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// A test that runs the host as its own process (<see cref="HostProcess"/>): the upstream fakes
/// it points at, and a working directory (the host's SQLite file lives under its <c>data/</c>)
/// that outlives restarts within the test.
/// </summary>
public abstract class HostProcessTest(FakeSumsub sumsub) : IAsyncLifetime
{
    private readonly DirectoryInfo _workingDirectory = Directory.CreateTempSubdirectory("identitysharing-process-");

    protected FakeSumsub Sumsub { get; } = sumsub;

    protected FakeBanxa Banxa { get; } = new();

    protected string WorkingDirectory => _workingDirectory.FullName;

    public async ValueTask InitializeAsync()
    {
        await Sumsub.StartAsync(TestContext.Current.CancellationToken);
        await Banxa.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Sumsub.DisposeAsync();
        await Banxa.DisposeAsync();
        _workingDirectory.Delete(recursive: true);
        GC.SuppressFinalize(this);
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
