using Google.Protobuf.Reflection;
using IdentitySharing.GrpcServer.Internal;

namespace IdentitySharing.GrpcServer;

/// <summary>
/// The services mapped with <c>MapGrpcService</c>, in mapping order. A DI singleton; reflection
/// reads <see cref="Services"/> to describe the server.
/// </summary>
public sealed class GrpcServiceRegistry
{
    private readonly List<ServiceDescriptor> _services = [];
    private readonly HashSet<string> _serviceNames = new(StringComparer.Ordinal);

    public IReadOnlyList<ServiceDescriptor> Services => _services;

    internal void Add(ServiceDescriptor service)
    {
        if (!_serviceNames.Add(service.FullName))
        {
            throw new InvalidOperationException($"gRPC service '{service.FullName}' is already mapped.");
        }

        _services.Add(service);
    }

    /// <summary>Whether a <c>/service/method</c> path names a mapped service (to tell an unknown method from an unknown service).</summary>
    internal bool IsServiceMappedForPath(string path)
    {
        var slash = path.IndexOf('/', 1);
        if (path.Length < 2 || slash < 0)
        {
            return false;
        }

        var lookup = _serviceNames.GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.Contains(path.AsSpan(1, slash - 1));
    }
}
