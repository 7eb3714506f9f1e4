using IdentitySharing.Testing.Grpc;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// A test that runs the host as its own process (<see cref="HostProcess"/>): the upstream fakes
/// it points at, and a working directory (the host's SQLite file lives under its <c>data/</c>)
/// that outlives restarts within the test.
/// </summary>
public abstract class HostProcessTest(FakeSumsub sumsub) : IAsyncLifetime
{
    // Generous: the host starts JIT-cold on a loaded 2-core machine.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo _workingDirectory = Directory.CreateTempSubdirectory("identitysharing-process-");

    protected FakeSumsub Sumsub { get; } = sumsub;

    protected FakeBanxa Banxa { get; } = new();

    protected string WorkingDirectory => _workingDirectory.FullName;

    /// <summary>
    /// Starts the built host in <see cref="WorkingDirectory"/>, configured by environment variables
    /// for the fakes (anonymous callers, plain-text logs) plus <paramref name="settings"/>, and waits until it listens.
    /// </summary>
    protected async Task<HostProcess> StartHostAsync(IReadOnlyDictionary<string, string> settings)
    {
        var environment = new Dictionary<string, string>
        {
            ["Sumsub__Accounts__main__AppToken"] = Sumsub.AppToken,
            ["Sumsub__Accounts__main__SecretKey"] = Sumsub.SecretKey,
            ["Sumsub__Accounts__main__BaseUrl"] = Sumsub.BaseUrl.ToString(),
            ["Sumsub__Accounts__main__ClientId"] = Sumsub.ClientId,
            ["Sumsub__DefaultAccount"] = "main",
            ["Banxa__BaseUrl"] = Banxa.BaseUrl.ToString(),
            ["Banxa__ApiKey"] = Banxa.ApiKey,
            ["Banxa__ApiSecret"] = Banxa.ApiSecret,
            ["Auth__AllowAnonymous"] = "true",
            ["Logging__Format"] = "simple",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
        var host = HostProcess.Start(WorkingDirectory, ["--urls", "http://127.0.0.1:0"], environment);
        try
        {
            await host.WaitForListeningAsync(Patience);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

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
