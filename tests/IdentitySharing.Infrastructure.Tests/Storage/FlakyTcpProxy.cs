using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IdentitySharing.Infrastructure.Tests.Storage;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of a real server, for connection failures on demand: it
/// refuses the next connections (accepts and resets them before a byte is exchanged, so a
/// client fails while opening), or cuts a connection right after forwarding a statement that
/// contains a given text, before the server's answer gets back (the server ran it; the client
/// cannot know).
/// </summary>
internal sealed class FlakyTcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _toRefuse;
    private int _refused;
    private int _cut;
    private byte[]? _cutAfter;

    public FlakyTcpProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections were refused so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>How many connections were cut after a statement so far.</summary>
    public int Cut => Volatile.Read(ref _cut);

    /// <summary>Refuses the next <paramref name="count"/> connections (replacing any count still pending).</summary>
    public void RefuseNext(int count) => Volatile.Write(ref _toRefuse, count);

    /// <summary>From now on, cuts each connection once it has forwarded a statement containing <paramref name="text"/>; null stops it.</summary>
    public void CutAfterStatementContaining(string? text) => Volatile.Write(ref _cutAfter, text is null ? null : Encoding.UTF8.GetBytes(text));

    private bool TakeRefusal()
    {
        while (true)
        {
            var left = Volatile.Read(ref _toRefuse);
            if (left <= 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _toRefuse, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            if (TakeRefusal())
            {
                Interlocked.Increment(ref _refused);
                Reset(client);
                continue;
            }
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            var statementForwarded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var toServer = PumpAsync(client, server, statementForwarded, cutOnData: null);
            var toClient = PumpAsync(server, client, null, cutOnData: statementForwarded.Task);
            await Task.WhenAny(toServer, toClient);
        }
        catch (Exception)
        {
            // A connection the test ends or cuts: nothing to report.
        }
        finally
        {
            Reset(client);
            Reset(server);
        }
    }

    /// <summary>
    /// Copies one direction. Client to server: flags <paramref name="statementForwarded"/> just
    /// before forwarding a chunk holding the cut text. Server to client: once that flag is set,
    /// drops the next answer instead of forwarding it, and returns (which closes both sides).
    /// </summary>
    private async Task PumpAsync(Socket from, Socket to, TaskCompletionSource? statementForwarded, Task? cutOnData)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
            if (read == 0)
            {
                return;
            }
            if (cutOnData is { IsCompleted: true })
            {
                Interlocked.Increment(ref _cut);
                return;
            }
            if (statementForwarded is not null && Volatile.Read(ref _cutAfter) is { } cutAfter
                && buffer.AsSpan(0, read).IndexOf(cutAfter) >= 0)
            {
                statementForwarded.TrySetResult();
            }
            await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            // Linger 0: close with a reset, at once.
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception)
        {
            // Already closed.
        }
        socket.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
