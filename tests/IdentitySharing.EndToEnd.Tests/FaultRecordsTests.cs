using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Grpc;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>
/// After each upstream fault, what the service recorded agrees with what the caller was told:
/// the ledger event for the call's request_id names the same outcome and reason, and a retry
/// with the same request_id (the upstream healthy again) behaves as the status promised — a
/// stored outcome (OK or a terminal failure) is replayed without an upstream call, a transient
/// failure runs again, and an import whose outcome is unknown is never sent again.
/// </summary>
public sealed class FaultRecordsTests(FaultHostFixture host) : IClassFixture<FaultHostFixture>
{
    private const int Ok = 0, DeadlineExceeded = 4, NotFound = 5, ResourceExhausted = 8, Unavailable = 14;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly ScriptedResponse Minted = ScriptedResponse.Json(200, """{"token":"_act-minted","forClientId":"partner"}""");

    private static ScriptedResponse Status(int status) => ScriptedResponse.Json(status, $$"""{"code":{{status}},"description":"scripted"}""");

    private static GenerateShareTokenRequest TokenRequest() =>
        new() { ApplicantId = "5f1c0ffee0ddba11", ForClientId = "partner", RequestId = Guid.NewGuid().ToString() };

    public static TheoryData<string> MintFaults => ["503 then success", "500 throughout", "429", "malformed JSON", "404", "answer after the deadline"];

    [Theory]
    [MemberData(nameof(MintFaults))]
    public async Task GenerateShareToken_records_and_replays_what_the_caller_was_told(string fault)
    {
        host.Reset();
        var deadline = Deadline;
        switch (fault)
        {
            case "503 then success": host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(503), Minted); break;
            case "500 throughout": host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(500)); break;
            case "429": host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Status(429)); break;
            case "malformed JSON": host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.WithFault(FaultMode.MalformedJson)); break;
            case "404": host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, ScriptedResponse.Json(404, """{"code":404,"description":"Applicant not found"}""")); break;
            default:
                host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath, Minted with { Delay = TimeSpan.FromSeconds(60) });
                deadline = TimeSpan.FromSeconds(1);
                break;
        }
        var request = TokenRequest();
        var startedAt = DateTimeOffset.UtcNow;

        var call = await host.Client.GenerateShareToken(request, deadline);

        call.StatusCode.Should().Be(fault switch
        {
            "503 then success" => Ok,
            "429" => ResourceExhausted,
            "404" => NotFound,
            "answer after the deadline" => DeadlineExceeded,
            _ => Unavailable,
        }, call.StatusMessage);
        await LedgerAgreesAsync(request.RequestId, startedAt, call.StatusCode, call.Detail<ErrorInfo>());
        await RetryAgreesAsync(call, () => host.Client.GenerateShareToken(request, Deadline), () => host.Sumsub.Requests.Count);
    }

    [Fact]
    public async Task An_import_answered_with_503_is_recorded_as_unavailable_and_its_retry_imports()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ImportPath, Status(503));
        var request = new ImportApplicantRequest { ShareToken = "_act-records-503", UserId = "records-user-1", RequestId = Guid.NewGuid().ToString() };
        var startedAt = DateTimeOffset.UtcNow;

        var call = await host.Client.ImportApplicant(request, Deadline);

        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
        await LedgerAgreesAsync(request.RequestId, startedAt, call.StatusCode, call.Detail<ErrorInfo>());
        await RetryAgreesAsync(call, () => host.Client.ImportApplicant(request, Deadline), () => host.Sumsub.Requests.Count(r => r.Path == FakeSumsub.ImportPath));
    }

    [Fact]
    public async Task An_import_with_an_unknown_outcome_is_recorded_so_and_its_retry_never_imports_again()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.WithFault(FaultMode.ResetMidResponse));
        var request = new ImportApplicantRequest { ShareToken = "_act-records-unknown", RequestId = Guid.NewGuid().ToString() };
        var startedAt = DateTimeOffset.UtcNow;

        var call = await host.Client.ImportApplicant(request, Deadline);

        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
        call.Detail<ErrorInfo>()!.Type.Should().Be("IMPORT_OUTCOME_UNKNOWN");
        await LedgerAgreesAsync(request.RequestId, startedAt, call.StatusCode, call.Detail<ErrorInfo>());
        host.Reset();
        var retry = await host.Client.ImportApplicant(request, Deadline);
        retry.Detail<ErrorInfo>()!.Type.Should().Be("IMPORT_OUTCOME_UNKNOWN");
        host.Sumsub.Requests.Should().BeEmpty("without a user_id nothing can be looked up, and the token may be spent");
    }

    [Fact]
    public async Task A_banxa_500_is_recorded_as_unavailable_and_its_retry_shares_again()
    {
        host.Reset();
        host.Banxa.Script("POST", FakeBanxa.SharePath, Status(500));
        var request = new ShareWithBanxaRequest
        {
            ApplicantId = "5f1c0ffee0ddba11",
            IdentityReference = "records-ref-1",
            Email = "ada@example.com",
            MobileNumber = "+447700900123",
            RequestId = Guid.NewGuid().ToString(),
        };
        var startedAt = DateTimeOffset.UtcNow;

        var call = await host.Client.ShareWithBanxa(request, Deadline);

        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
        await LedgerAgreesAsync(request.RequestId, startedAt, call.StatusCode, call.Detail<ErrorInfo>());
        await RetryAgreesAsync(call, () => host.Client.ShareWithBanxa(request, Deadline), () => host.Banxa.Requests.Count);
    }

    /// <summary>Exactly one ledger event carries the request_id, with the outcome and reason the caller got.</summary>
    private async Task LedgerAgreesAsync(string requestId, DateTimeOffset startedAt, int statusCode, ErrorInfo? errorInfo)
    {
        var page = await host.Client.UnaryAsync("/identitysharing.v1.IdentitySharingService/ListShareEvents",
            new ListShareEventsRequest { StartTime = Timestamp.FromDateTimeOffset(startedAt.AddSeconds(-5)), PageSize = 1000 },
            ListShareEventsResponse.Parser, cancellationToken: TestContext.Current.CancellationToken);
        page.StatusCode.Should().Be(Ok, page.StatusMessage);

        var recorded = page.Response!.Events.Should().ContainSingle(e => e.RequestId == requestId).Subject;
        recorded.Outcome.Should().Be(statusCode switch
        {
            Ok => "OK",
            NotFound => "NotFound",
            ResourceExhausted => "RateLimited",
            DeadlineExceeded => "DeadlineExceeded",
            _ => "Unavailable",
        });
        recorded.ErrorReason.Should().Be(errorInfo?.Type ?? "");
    }

    /// <summary>
    /// With the upstream healthy again, a retry under the same request_id is answered as the first
    /// status promised: OK and terminal failures are replayed as they were, with no upstream call;
    /// transient failures run again and now succeed.
    /// </summary>
    private async Task RetryAgreesAsync<TResponse>(GrpcCallResult<TResponse> first, Func<Task<GrpcCallResult<TResponse>>> retry, Func<int> upstreamCalls)
        where TResponse : class, IMessage<TResponse>
    {
        host.Reset();
        var again = await retry();

        if (first.StatusCode is Ok or NotFound)
        {
            again.StatusCode.Should().Be(first.StatusCode, "a stored outcome is replayed");
            again.Response.Should().Be(first.Response);
            again.Detail<ErrorInfo>().Should().Be(first.Detail<ErrorInfo>());
            upstreamCalls().Should().Be(0, "a replay makes no upstream call");
        }
        else
        {
            again.StatusCode.Should().Be(Ok, $"{first.StatusCode} told the caller a retry can help; {again.StatusMessage}");
            upstreamCalls().Should().BeGreaterThan(0, "a transient failure is not stored, so the retry runs");
        }
    }
}
