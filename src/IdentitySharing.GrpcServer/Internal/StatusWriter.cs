using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace IdentitySharing.GrpcServer.Internal;

/// <summary>
/// The one place that ends a call on the wire: <c>grpc-status</c>, <c>grpc-message</c>,
/// <c>grpc-status-details-bin</c> and custom trailers, as HTTP/2 trailers or, when nothing has
/// been sent yet, as a Trailers-Only response (a single HEADERS frame). Every non-OK status
/// carries <c>grpc-status-details-bin</c>: a <c>google.rpc.Status</c> with the same code and
/// (unencoded) message as <c>grpc-status</c>/<c>grpc-message</c>, and details only when the
/// status brought some.
/// </summary>
internal static class StatusWriter
{
    public static void Write(HttpResponse response, bool responseStarted, CallOutcome outcome, List<KeyValuePair<string, string>>? contextTrailers)
    {
        var trailersOnly = !responseStarted && !response.HasStarted;
        var (code, detail) = outcome.Status;
        Add(response, trailersOnly, GrpcProtocol.StatusHeader, GrpcProtocol.StatusValue(code));
        if (!string.IsNullOrEmpty(detail))
        {
            Add(response, trailersOnly, GrpcProtocol.MessageHeader, PercentEncoding.Encode(detail));
        }

        // Every failure carries a google.rpc.Status (the status's own details, or one with just its
        // code and message), so clients that read grpc-status-details-bin always find one.
        if (outcome.Details is not null || code != StatusCode.OK)
        {
            Add(response, trailersOnly, GrpcProtocol.StatusDetailsHeader, EncodeDetails(outcome.Details, code, detail));
        }

        AddCustom(response, trailersOnly, contextTrailers);
        AddCustom(response, trailersOnly, outcome.Trailers);
    }

    /// <summary>Writes a status for a call that never reached a handler (always Trailers-Only).</summary>
    public static void WriteImmediate(HttpResponse response, StatusCode code, string detail)
    {
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcCompression.AcceptEncodingValue;
        Write(response, responseStarted: false, CallOutcome.FromStatus(code, detail), null);
    }

    /// <summary>
    /// google.rpc.Status with the same code and message as grpc-status/grpc-message (clients
    /// compare them): the given details corrected if need be, or a bare status without details.
    /// </summary>
    private static string EncodeDetails(Google.Rpc.Status? details, StatusCode code, string? detail)
    {
        detail ??= string.Empty;
        if (details is null)
        {
            details = new Google.Rpc.Status { Code = (int)code, Message = detail };
        }
        else if (details.Code != (int)code || details.Message != detail)
        {
            details = details.Clone();
            details.Code = (int)code;
            details.Message = detail;
        }

        return GrpcMetadata.ToUnpaddedBase64(details.ToByteArray());
    }

    private static void Add(HttpResponse response, bool trailersOnly, string name, StringValues value)
    {
        if (trailersOnly)
        {
            response.Headers.Append(name, value);
        }
        else
        {
            response.AppendTrailer(name, value);
        }
    }

    private static void AddCustom(HttpResponse response, bool trailersOnly, IReadOnlyList<KeyValuePair<string, string>>? trailers)
    {
        if (trailers is null)
        {
            return;
        }

        for (var i = 0; i < trailers.Count; i++)
        {
            var (name, value) = trailers[i];
            Add(response, trailersOnly, name, GrpcMetadata.ToWireValue(name, value));
        }
    }
}
