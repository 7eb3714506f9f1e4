using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IdentitySharing.Application.Common;
using IdentitySharing.GrpcServer;
using GrpcStatusCode = IdentitySharing.GrpcServer.StatusCode;

namespace IdentitySharing.Host.Errors;

/// <summary>
/// The one place where an application <see cref="Error"/> becomes a gRPC status with
/// <c>google.rpc.Status</c> details (the error table in the architecture brief).
/// </summary>
public static class ErrorStatusMapper
{
    /// <summary>ErrorInfo.domain for every error this service raises.</summary>
    public const string ErrorDomain = "identitysharing.v1";

    public static GrpcStatusCode ToStatusCode(ErrorKind kind) => kind switch
    {
        ErrorKind.Validation => GrpcStatusCode.InvalidArgument,
        ErrorKind.NotFound => GrpcStatusCode.NotFound,
        ErrorKind.FailedPrecondition => GrpcStatusCode.FailedPrecondition,
        ErrorKind.IdempotencyMismatch => GrpcStatusCode.FailedPrecondition,
        ErrorKind.UpstreamCredentials => GrpcStatusCode.Internal,
        ErrorKind.RateLimited => GrpcStatusCode.ResourceExhausted,
        ErrorKind.Unavailable => GrpcStatusCode.Unavailable,
        ErrorKind.DeadlineExceeded => GrpcStatusCode.DeadlineExceeded,
        _ => GrpcStatusCode.Internal,
    };

    public static RpcException ToRpcException(Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var code = ToStatusCode(error.Kind);
        var status = new Google.Rpc.Status { Code = (int)code, Message = error.Message };

        if (error.FieldViolations.Count > 0)
        {
            var badRequest = new BadRequest();
            foreach (var violation in error.FieldViolations)
            {
                badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation
                {
                    Field = violation.Field,
                    Description = violation.Description,
                });
            }
            status.Details.Add(Any.Pack(badRequest));
        }

        if (error.Kind != ErrorKind.Validation || error.Upstream is not null)
        {
            status.Details.Add(Any.Pack(ToErrorInfo(error)));
        }

        if (error.RetryAfter is { } retryAfter)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) }));
        }

        return new RpcException(code, error.Message, status);
    }

    private static ErrorInfo ToErrorInfo(Error error)
    {
        // Google.Api.CommonProtos 2.0.0 predates the rename of ErrorInfo field 1 from "type" to
        // "reason": same number, so clients with current protos read it as ErrorInfo.reason.
        var info = new ErrorInfo { Type = error.Reason, Domain = ErrorDomain };
        if (error.Upstream is { } upstream)
        {
            info.Metadata["upstream"] = upstream.Upstream;
            if (upstream.HttpStatus is { } httpStatus)
            {
                info.Metadata["upstream_status"] = httpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            if (!string.IsNullOrEmpty(upstream.ErrorCode))
            {
                info.Metadata["upstream_error_code"] = upstream.ErrorCode;
            }
            if (!string.IsNullOrEmpty(upstream.CorrelationId))
            {
                info.Metadata["upstream_correlation_id"] = upstream.CorrelationId;
            }
        }
        return info;
    }
}
