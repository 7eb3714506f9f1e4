using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ServingStatus = IdentitySharing.GrpcServer.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IdentitySharing.GrpcServer.Health;

/// <summary>
/// The serving status of the server ("") and of named services, as the host sets it, for
/// <c>grpc.health.v1.Health</c>. A singleton: Check reads it, Watch streams its changes.
/// The whole server starts SERVING; after <see cref="EnterShutdown"/> every status is
/// NOT_SERVING, later changes are ignored and every watch ends.
/// </summary>
public sealed class HealthStatusService
{
    /// <summary>The name that stands for the whole server.</summary>
    public const string Server = "";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal) { [Server] = ServingStatus.Serving };
    private readonly Dictionary<string, List<Channel<ServingStatus>>> _watchers = new(StringComparer.Ordinal);
    private bool _shuttingDown;

    /// <summary>Sets a service's status ("" = whole server) and tells its watchers. Ignored once shutting down.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            _statuses[service] = status;
            Publish(service, status);
        }
    }

    /// <summary>Forgets a service: Check answers NOT_FOUND again and watchers see SERVICE_UNKNOWN.</summary>
    public void ClearStatus(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
        {
            if (_shuttingDown || !_statuses.Remove(service))
            {
                return;
            }

            Publish(service, ServingStatus.ServiceUnknown);
        }
    }

    /// <summary>The status set for <paramref name="service"/>, or false when it was never set.</summary>
    public bool TryGetStatus(string service, out ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
        {
            return _statuses.TryGetValue(service, out status);
        }
    }

    /// <summary>
    /// Marks every known service NOT_SERVING, freezes the statuses and ends every watch
    /// (after it has seen NOT_SERVING). Called when the host starts stopping.
    /// </summary>
    public void EnterShutdown()
    {
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            _shuttingDown = true;
            foreach (var service in _statuses.Keys.ToList())
            {
                _statuses[service] = ServingStatus.NotServing;
            }

            foreach (var (service, channels) in _watchers)
            {
                foreach (var channel in channels)
                {
                    channel.Writer.TryWrite(_statuses.ContainsKey(service) ? ServingStatus.NotServing : ServingStatus.ServiceUnknown);
                    channel.Writer.TryComplete();
                }
            }

            _watchers.Clear();
        }
    }

    /// <summary>
    /// The current status at once (SERVICE_UNKNOWN for a service never set), then each change.
    /// Repeats are skipped and only the latest status counts when the reader lags.
    /// Ends when <paramref name="cancellationToken"/> fires or the server shuts down.
    /// </summary>
    public async IAsyncEnumerable<ServingStatus> WatchAsync(string service, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        var channel = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            channel.Writer.TryWrite(_statuses.TryGetValue(service, out var current) ? current : ServingStatus.ServiceUnknown);
            if (_shuttingDown)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                if (!_watchers.TryGetValue(service, out var channels))
                {
                    channels = [];
                    _watchers[service] = channels;
                }

                channels.Add(channel);
            }
        }

        try
        {
            ServingStatus? lastSent = null;
            await foreach (var status in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (status != lastSent)
                {
                    lastSent = status;
                    yield return status;
                }
            }
        }
        finally
        {
            RemoveWatcher(service, channel);
        }
    }

    private void Publish(string service, ServingStatus status)
    {
        if (_watchers.TryGetValue(service, out var channels))
        {
            foreach (var channel in channels)
            {
                channel.Writer.TryWrite(status);
            }
        }
    }

    private void RemoveWatcher(string service, Channel<ServingStatus> channel)
    {
        lock (_gate)
        {
            if (_watchers.TryGetValue(service, out var channels) && channels.Remove(channel) && channels.Count == 0)
            {
                _watchers.Remove(service);
            }
        }
    }
}
