using Google.Rpc;
using IdentitySharing.Application.Common;
using IdentitySharing.Host.Errors;
using GrpcStatusCode = IdentitySharing.GrpcServer.StatusCode;

namespace IdentitySharing.Host.Tests.Errors;

public sealed class ErrorStatusMapperTests
{
    [Theory]
    [InlineData(ErrorKind.Validation, GrpcStatusCode.InvalidArgument)]
    [InlineData(ErrorKind.NotFound, GrpcStatusCode.NotFound)]
    [InlineData(ErrorKind.FailedPrecondition, GrpcStatusCode.FailedPrecondition)]
    [InlineData(ErrorKind.IdempotencyMismatch, GrpcStatusCode.FailedPrecondition)]
    [InlineData(ErrorKind.UpstreamCredentials, GrpcStatusCode.Internal)]
    [InlineData(ErrorKind.RateLimited, GrpcStatusCode.ResourceExhausted)]
    [InlineData(ErrorKind.Unavailable, GrpcStatusCode.Unavailable)]
    [InlineData(ErrorKind.DeadlineExceeded, GrpcStatusCode.DeadlineExceeded)]
    public void Each_error_kind_has_its_row_of_the_error_table(ErrorKind kind, GrpcStatusCode expected)
    {
        var exception = ErrorStatusMapper.ToRpcException(new Error(kind, "SOME_REASON", "what happened"));

        exception.StatusCode.Should().Be(expected);
        exception.Details!.Code.Should().Be((int)expected);
        exception.Details.Message.Should().Be("what happened");
    }

    [Fact]
    public void Every_error_kind_is_mapped_explicitly()
    {
        foreach (var kind in Enum.GetValues<ErrorKind>())
        {
            var code = ErrorStatusMapper.ToStatusCode(kind);
            code.Should().NotBe(GrpcStatusCode.Unknown).And.NotBe(GrpcStatusCode.OK);
        }
    }

    [Fact]
    public void Validation_errors_carry_one_field_violation_per_bad_field()
    {
        var error = Error.Validation([new FieldViolation("email", "is required"), new FieldViolation("mobile_number", "must be E.164")]);

        var details = ErrorStatusMapper.ToRpcException(error).Details!;

        var badRequest = details.Details.Single().Unpack<BadRequest>();
        badRequest.FieldViolations.Select(v => (v.Field, v.Description))
            .Should().Equal(("email", "is required"), ("mobile_number", "must be E.164"));
    }

    [Fact]
    public void Upstream_failures_carry_error_info_with_the_upstream_facts()
    {
        var error = new Error(ErrorKind.NotFound, "APPLICANT_NOT_FOUND", "Applicant not found")
        {
            Upstream = new UpstreamFailure("sumsub", 404, "1234", "corr-1"),
        };

        var info = ErrorStatusMapper.ToRpcException(error).Details!.Details.Single().Unpack<ErrorInfo>();

        info.Type.Should().Be("APPLICANT_NOT_FOUND");
        info.Domain.Should().Be(ErrorStatusMapper.ErrorDomain);
        info.Metadata.Should().Contain(new Dictionary<string, string>
        {
            ["upstream"] = "sumsub",
            ["upstream_status"] = "404",
            ["upstream_error_code"] = "1234",
            ["upstream_correlation_id"] = "corr-1",
        });
    }

    [Fact]
    public void Retryable_failures_carry_retry_info()
    {
        var error = new Error(ErrorKind.RateLimited, "UPSTREAM_RATE_LIMITED", "Slow down") { RetryAfter = TimeSpan.FromSeconds(3) };

        var details = ErrorStatusMapper.ToRpcException(error).Details!;

        details.Details.Should().Contain(any => any.Is(RetryInfo.Descriptor));
        details.Details.Single(any => any.Is(RetryInfo.Descriptor)).Unpack<RetryInfo>().RetryDelay.ToTimeSpan()
            .Should().Be(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Failures_without_a_retry_hint_carry_no_retry_info()
    {
        var details = ErrorStatusMapper.ToRpcException(new Error(ErrorKind.FailedPrecondition, "SHARE_TOKEN_REJECTED", "Used")).Details!;

        details.Details.Should().NotContain(any => any.Is(RetryInfo.Descriptor));
    }
}
