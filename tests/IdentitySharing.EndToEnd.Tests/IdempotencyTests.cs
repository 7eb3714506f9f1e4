using Google.Rpc;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Grpc;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>request_id over the wire: retries and duplicates reach the upstream once.</summary>
public sealed class IdempotencyTests(HostFixture host) : IClassFixture<HostFixture>
{
    private int ImportsSeen => host.Sumsub.Requests.Count(r => r.Path == FakeSumsub.ImportPath);

    private static string NewRequestId() => Guid.NewGuid().ToString();

    [Fact]
    public async Task A_retried_import_returns_the_same_applicant_and_imports_once()
    {
        host.Reset();
        var request = new ImportApplicantRequest { ShareToken = "_act-single-use", UserId = "customer-1", RequestId = NewRequestId() };

        var first = await host.Client.ImportApplicant(request);
        var retry = await host.Client.ImportApplicant(request);

        first.StatusCode.Should().Be(0, first.StatusMessage);
        retry.StatusCode.Should().Be(0, retry.StatusMessage);
        retry.Response!.Applicant.Should().Be(first.Response!.Applicant);
        first.Response.Applicant.Id.Should().StartWith("fakeapplicant");
        ImportsSeen.Should().Be(1);
    }

    [Fact]
    public async Task Concurrent_duplicate_imports_reach_sumsub_once_and_all_get_the_same_applicant()
    {
        host.Reset();
        var request = new ImportApplicantRequest { ShareToken = "_act-concurrent", RequestId = NewRequestId() };

        var calls = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.Client.ImportApplicant(request)));

        calls.Should().OnlyContain(c => c.StatusCode == 0);
        calls.Select(c => c.Response!.Applicant.Id).Distinct().Should().ContainSingle();
        ImportsSeen.Should().Be(1);
    }

    [Fact]
    public async Task A_retried_share_token_request_returns_the_same_token()
    {
        host.Reset();
        var request = new GenerateShareTokenRequest { ApplicantId = "abc123", ForClientId = "partner", RequestId = NewRequestId() };

        var first = await host.Client.GenerateShareToken(request);
        var retry = await host.Client.GenerateShareToken(request);

        retry.Response.Should().Be(first.Response);
        host.Sumsub.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task A_reused_request_id_with_another_request_is_a_failed_precondition()
    {
        host.Reset();
        var requestId = NewRequestId();
        await host.Client.ImportApplicant(new ImportApplicantRequest { ShareToken = "_act-first", RequestId = requestId });

        var reused = await host.Client.ImportApplicant(new ImportApplicantRequest { ShareToken = "_act-second", RequestId = requestId });

        reused.StatusCode.Should().Be(9);
        reused.Detail<ErrorInfo>()!.Type.Should().Be("REQUEST_ID_REUSED");
        ImportsSeen.Should().Be(1);
    }

    [Fact]
    public async Task A_rejected_token_is_replayed_but_an_unavailable_upstream_is_retried()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ImportPath,
            ScriptedResponse.Json(400, """{"description":"Invalid share token","code":400,"correlationId":"c-rejected"}"""));
        var rejected = new ImportApplicantRequest { ShareToken = "_act-rejected", RequestId = NewRequestId() };

        var first = await host.Client.ImportApplicant(rejected);
        var retry = await host.Client.ImportApplicant(rejected);

        first.StatusCode.Should().Be(9);
        retry.StatusCode.Should().Be(9);
        retry.Detail<ErrorInfo>().Should().Be(first.Detail<ErrorInfo>());
        ImportsSeen.Should().Be(1);

        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ImportPath,
            ScriptedResponse.Json(503, """{"description":"down","code":503}"""),
            ScriptedResponse.Json(200, """{"id":"recovered1","clientId":"e2e-main-client","createdAt":"2024-01-02 03:04:05"}"""));
        var transient = new ImportApplicantRequest { ShareToken = "_act-transient", RequestId = NewRequestId() };

        var unavailable = await host.Client.ImportApplicant(transient);
        var recovered = await host.Client.ImportApplicant(transient);

        unavailable.StatusCode.Should().Be(14);
        recovered.StatusCode.Should().Be(0, recovered.StatusMessage);
        recovered.Response!.Applicant.Id.Should().Be("recovered1");
        ImportsSeen.Should().Be(2);
    }

    [Fact]
    public async Task A_retry_after_a_lost_import_answer_finds_the_applicant_instead_of_importing_again()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.WithFault(FaultMode.ResetMidResponse));
        // Sumsub has not finished the import when the first attempt looks; it has when the retry does.
        host.Sumsub.Script("GET", FakeSumsub.ApplicantByExternalUserIdPath("customer-lost"),
            ScriptedResponse.Json(404, """{"description":"Applicant not found","code":404}"""),
            FakeSumsub.Applicant("lateapplicant1", "customer-lost", DateTimeOffset.UtcNow.AddSeconds(1)));
        var request = new ImportApplicantRequest { ShareToken = "_act-lost-answer", UserId = "customer-lost", RequestId = NewRequestId() };

        var first = await host.Client.ImportApplicant(request);
        var retry = await host.Client.ImportApplicant(request);

        first.StatusCode.Should().Be(14, first.StatusMessage);
        first.Detail<ErrorInfo>()!.Type.Should().Be("IMPORT_OUTCOME_UNKNOWN");
        retry.StatusCode.Should().Be(0, retry.StatusMessage);
        retry.Response!.Applicant.Id.Should().Be("lateapplicant1");
        ImportsSeen.Should().Be(1, "the share token may be spent: the import is never sent twice");
        var replay = await host.Client.ImportApplicant(request);
        replay.Response!.Applicant.Id.Should().Be("lateapplicant1", "the reconciled outcome is stored for later retries");
        host.Sumsub.Requests.Count(r => r.Method == "GET").Should().Be(2);
    }

    [Theory]
    [InlineData("customer-cut-off")]
    [InlineData(null)]
    public async Task A_retry_after_the_deadline_cut_off_an_import_never_imports_again(string? userId)
    {
        host.Reset();
        var request = new ImportApplicantRequest { ShareToken = "_act-cut-off", UserId = userId ?? "", RequestId = NewRequestId() };

        // Sumsub imports at once but answers only after the caller's deadline has passed.
        host.Sumsub.DefaultResponseDelay = TimeSpan.FromSeconds(30);
        GrpcCallResult<ImportApplicantResponse> first;
        try
        {
            // Long enough for the import to reach Sumsub on a loaded machine, short of its answer.
            first = await host.Client.ImportApplicant(request, TimeSpan.FromSeconds(5));
        }
        finally
        {
            host.Sumsub.DefaultResponseDelay = TimeSpan.Zero;
        }
        var retry = await host.Client.ImportApplicant(request);

        first.StatusCode.Should().Be(4, first.StatusMessage);
        ImportsSeen.Should().Be(1, "the share token may be spent: the import is never sent twice");
        if (userId is null)
        {
            retry.StatusCode.Should().Be(14, retry.StatusMessage);
            retry.Detail<ErrorInfo>()!.Type.Should().Be("IMPORT_OUTCOME_UNKNOWN");
        }
        else
        {
            retry.StatusCode.Should().Be(0, retry.StatusMessage);
            retry.Response!.Applicant.Id.Should().Be(host.Sumsub.Imported(userId)!.Id, "the retry found the applicant the cut-off import created");
        }
    }

    [Fact]
    public async Task A_retry_after_a_lost_import_answer_without_user_id_stays_unknown_and_never_imports_again()
    {
        host.Reset();
        host.Sumsub.Script("POST", FakeSumsub.ImportPath, ScriptedResponse.WithFault(FaultMode.ResetMidResponse));
        var request = new ImportApplicantRequest { ShareToken = "_act-lost-no-user", RequestId = NewRequestId() };

        var first = await host.Client.ImportApplicant(request);
        var retry = await host.Client.ImportApplicant(request);

        first.Detail<ErrorInfo>()!.Type.Should().Be("IMPORT_OUTCOME_UNKNOWN");
        retry.StatusCode.Should().Be(14, retry.StatusMessage);
        retry.Detail<ErrorInfo>()!.Type.Should().Be("IMPORT_OUTCOME_UNKNOWN");
        retry.StatusMessage.Should().Contain("new request_id");
        ImportsSeen.Should().Be(1);
    }
}
