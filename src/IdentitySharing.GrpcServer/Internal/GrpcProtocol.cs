using Microsoft.Extensions.Primitives;

namespace IdentitySharing.GrpcServer.Internal;

/// <summary>Header names and fixed values of the gRPC over HTTP/2 protocol.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string StatusDetailsHeader = "grpc-status-details-bin";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TimeoutHeader = "grpc-timeout";
    public const string BinarySuffix = "-bin";
    public const int FrameHeaderSize = 5;

    public static readonly StringValues ContentTypeValue = new(ContentType);

    private static readonly string[] StatusValues = CreateStatusValues();

    public static string StatusValue(StatusCode code) =>
        (uint)code < (uint)StatusValues.Length ? StatusValues[(int)code] : ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><c>application/grpc</c> exactly, or followed by <c>+</c> (e.g. <c>+proto</c>) or <c>;</c> (parameters).</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return contentType.Length == ContentType.Length
            || contentType[ContentType.Length] is '+' or ';';
    }

    private static string[] CreateStatusValues()
    {
        var values = new string[17];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return values;
    }
}
