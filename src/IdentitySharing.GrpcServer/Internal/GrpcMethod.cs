using Google.Protobuf.Reflection;

namespace IdentitySharing.GrpcServer.Internal;

/// <summary>A mapped method: its route and the code that reads the request, runs the handler and writes the response.</summary>
internal abstract class GrpcMethod(MethodDescriptor descriptor)
{
    public MethodDescriptor Descriptor { get; } = descriptor;

    public string ServiceName { get; } = descriptor.Service.FullName;

    public string MethodName { get; } = descriptor.Name;

    public string Path { get; } = $"/{descriptor.Service.FullName}/{descriptor.Name}";

    /// <summary>Streaming calls may last long: Kestrel's request-body rate and size limits are lifted for them.</summary>
    public bool IsStreaming => Descriptor.IsClientStreaming || Descriptor.IsServerStreaming;

    public abstract Task InvokeAsync(ServerCallContext context);
}
