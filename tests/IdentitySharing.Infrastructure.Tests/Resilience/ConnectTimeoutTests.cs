using System.Net;
using System.Net.Sockets;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;

namespace IdentitySharing.Infrastructure.Tests.Resilience;

/// <summary>
/// An upstream whose connections never open (SYNs dropped): the attempt must fail as "could not
/// be reached", which nothing was sent for, and not as "no answer", which for an import means its
/// outcome is unknown. The upstream here is a listener whose accept queue is full, so the kernel
/// drops further connection attempts, as a firewall that drops packets would.
/// </summary>
public sealed class ConnectTimeoutTests : ResilienceTestBase, IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Socket _queueFiller = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public ConnectTimeoutTests()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
        _queueFiller.Connect(_listener.LocalEndPoint!);
    }

    private int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    protected override IEnumerable<KeyValuePair<string, string?>> ResilienceSettings =>
    [
        .. base.ResilienceSettings,
        new("Sumsub:Accounts:main:BaseUrl", $"http://127.0.0.1:{Port}/"),
        // Connecting gives up after 2 s, the attempt after 4 s: a margin a loaded machine keeps.
        new("Resilience:SumsubAttemptTimeout", "00:00:04"),
        new("Resilience:Retry:MaxRetries", "1"),
    ];

    [Fact]
    public async Task An_import_to_an_upstream_whose_connections_never_open_is_unreachable_not_of_unknown_outcome()
    {
        await SkipUnlessConnectionsHangAsync();

        var error = (await ImportAsync("user-1")).Error!;

        error.Kind.Should().Be(ErrorKind.Unavailable);
        error.Reason.Should().Be("UPSTREAM_UNREACHABLE");
        error.Reason.Should().NotBe(SumsubImportOutcome.UnknownReason);
        error.MayHaveActed.Should().BeFalse("no connection was opened, so nothing was sent");
    }

    [Theory]
    [InlineData(10_000, 5_000)]
    [InlineData(2_000, 1_000)]
    [InlineData(500, 250)]
    public void The_connect_timeout_stays_well_inside_the_attempt_timeout(int attemptMs, int connectMs) =>
        DependencyInjection.ConnectTimeout(TimeSpan.FromMilliseconds(attemptMs)).Should().Be(TimeSpan.FromMilliseconds(connectMs));

    public void Dispose()
    {
        _queueFiller.Dispose();
        _listener.Dispose();
    }

    /// <summary>The premise: a kernel that completes connections past a full accept queue cannot stage this.</summary>
    private async Task SkipUnlessConnectionsHangAsync()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        patience.CancelAfter(TimeSpan.FromMilliseconds(500));
        var connected = false;
        try
        {
            await probe.ConnectAsync(_listener.LocalEndPoint!, patience.Token);
            connected = true;
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
        }
        Assert.SkipWhen(connected, "This kernel completes connections past a full accept queue, so a connection that never opens cannot be staged.");
    }
}
