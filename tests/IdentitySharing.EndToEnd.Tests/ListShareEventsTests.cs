using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Testing.Grpc;
using IdentitySharing.Testing.Upstreams;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>The audit ledger over the wire: what the share RPCs recorded, filtered and paged.</summary>
public sealed class ListShareEventsTests(HostFixture host) : IClassFixture<HostFixture>
{
    private const string Email = "ledger.probe@example.com";
    private const string Mobile = "+447700955502";

    private Task<GrpcCallResult<ListShareEventsResponse>> List(ListShareEventsRequest request) =>
        host.Client.UnaryAsync("/identitysharing.v1.IdentitySharingService/ListShareEvents", request, ListShareEventsResponse.Parser);

    private static string UniqueApplicant() => "app" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Each_share_action_is_listed_with_who_what_to_whom_and_how_it_ended()
    {
        host.Reset();
        var applicant = UniqueApplicant();
        var reference = "ref-" + Guid.NewGuid().ToString("N");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        (await host.Client.GenerateShareToken(new GenerateShareTokenRequest { ApplicantId = applicant, ForClientId = "partner.x", RequestId = "gen-" + applicant }))
            .StatusCode.Should().Be(0);
        (await host.Client.ShareWithBanxa(new ShareWithBanxaRequest { ApplicantId = applicant, IdentityReference = reference, Email = Email, MobileNumber = Mobile }))
            .StatusCode.Should().Be(0);
        host.Sumsub.Script("POST", FakeSumsub.ShareTokenPath,
            ScriptedResponse.Json(404, """{"description":"Applicant not found","code":404,"correlationId":"corr-404"}"""));
        (await host.Client.GenerateShareToken(new GenerateShareTokenRequest { ApplicantId = applicant, ForClientId = "partner.y" })).StatusCode.Should().Be(5);

        var listed = await List(new ListShareEventsRequest { ApplicantId = applicant });

        listed.StatusCode.Should().Be(0, listed.StatusMessage);
        var events = listed.Response!.Events;
        events.Select(e => (e.Rpc, e.Recipient, e.Outcome, e.ErrorReason, e.UpstreamCorrelationId, e.RequestId)).Should().Equal(
            ("GenerateShareToken", "partner.x", "OK", "", "", "gen-" + applicant),
            ("ShareWithBanxa", reference, "OK", "", "", ""),
            ("GenerateShareToken", "partner.y", "NotFound", "APPLICANT_NOT_FOUND", "corr-404", ""));
        events.Should().OnlyContain(e => e.Caller == "anonymous" && e.Account == HostFixture.MainAccount && e.ApplicantId == applicant);
        events.Select(e => e.OccurredAt.ToDateTimeOffset()).Should().BeInAscendingOrder()
            .And.OnlyContain(at => at >= before && at <= DateTimeOffset.UtcNow.AddSeconds(1));
        listed.Response.NextPageToken.Should().BeEmpty();

        var toBanxa = await List(new ListShareEventsRequest { Recipient = reference });
        toBanxa.Response!.Events.Should().ContainSingle().Which.Rpc.Should().Be("ShareWithBanxa");
        var byOthers = await List(new ListShareEventsRequest { ApplicantId = applicant, Caller = "someone-else" });
        byOthers.Response!.Events.Should().BeEmpty();
        var afterAll = await List(new ListShareEventsRequest { ApplicantId = applicant, StartTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(1)) });
        afterAll.Response!.Events.Should().BeEmpty();
    }

    [Fact]
    public async Task An_import_is_listed_under_the_applicant_it_created_once_however_often_it_is_retried()
    {
        host.Reset();
        var request = new ImportApplicantRequest { ShareToken = "_act-ledger-import", RequestId = Guid.NewGuid().ToString() };
        var imported = await host.Client.ImportApplicant(request);
        await host.Client.ImportApplicant(request);

        var listed = await List(new ListShareEventsRequest { ApplicantId = imported.Response!.Applicant.Id });

        var recorded = listed.Response!.Events.Should().ContainSingle().Subject;
        recorded.Rpc.Should().Be("ImportApplicant");
        recorded.Recipient.Should().Be(HostFixture.MainClientId);
        recorded.RequestId.Should().Be(request.RequestId);
        recorded.Outcome.Should().Be("OK");
    }

    [Fact]
    public async Task Pages_follow_each_other_until_the_last_which_has_no_next_token()
    {
        host.Reset();
        var applicant = UniqueApplicant();
        for (var i = 0; i < 5; i++)
        {
            (await host.Client.GenerateShareToken(new GenerateShareTokenRequest { ApplicantId = applicant, ForClientId = $"partner{i}" })).StatusCode.Should().Be(0);
        }

        var recipients = new List<string>();
        var pages = 0;
        var request = new ListShareEventsRequest { ApplicantId = applicant, PageSize = 2 };
        do
        {
            var page = await List(request);
            page.StatusCode.Should().Be(0, page.StatusMessage);
            page.Response!.Events.Count.Should().BeLessThanOrEqualTo(2);
            recipients.AddRange(page.Response.Events.Select(e => e.Recipient));
            request.PageToken = page.Response.NextPageToken;
            pages++;
        }
        while (request.PageToken.Length > 0 && pages < 10);

        recipients.Should().Equal("partner0", "partner1", "partner2", "partner3", "partner4");
        pages.Should().Be(3);
    }

    [Fact]
    public async Task Bad_queries_are_invalid_arguments_naming_the_field()
    {
        host.Reset();
        var applicant = UniqueApplicant();
        for (var i = 0; i < 2; i++)
        {
            await host.Client.GenerateShareToken(new GenerateShareTokenRequest { ApplicantId = applicant, ForClientId = "partner" });
        }
        var firstPage = await List(new ListShareEventsRequest { ApplicantId = applicant, PageSize = 1 });
        firstPage.Response!.NextPageToken.Should().NotBeEmpty();

        async Task<string[]> ViolatedFields(ListShareEventsRequest request)
        {
            var call = await List(request);
            call.StatusCode.Should().Be(3, "{0} is invalid", request);
            return [.. call.Detail<BadRequest>()!.FieldViolations.Select(v => v.Field)];
        }

        (await ViolatedFields(new ListShareEventsRequest { PageToken = "not a token" })).Should().Equal("page_token");
        (await ViolatedFields(new ListShareEventsRequest { ApplicantId = UniqueApplicant(), PageToken = firstPage.Response.NextPageToken }))
            .Should().Equal(["page_token"], "a token only continues the query it came from");
        (await ViolatedFields(new ListShareEventsRequest { PageSize = 1001 })).Should().Equal("page_size");
        (await ViolatedFields(new ListShareEventsRequest { PageSize = -1, ApplicantId = "bad id!", Recipient = "a b", Caller = "tab\there" }))
            .Should().BeEquivalentTo("page_size", "applicant_id", "recipient", "caller");
        (await ViolatedFields(new ListShareEventsRequest { StartTime = new Timestamp { Seconds = 100 }, EndTime = new Timestamp { Seconds = 50 } }))
            .Should().Equal("end_time");
        (await ViolatedFields(new ListShareEventsRequest { StartTime = new Timestamp { Seconds = 1, Nanos = -5 } })).Should().Equal("start_time");

        var samePage = await List(new ListShareEventsRequest { ApplicantId = applicant, PageSize = 5, PageToken = firstPage.Response.NextPageToken });
        samePage.StatusCode.Should().Be(0, "the page size may change between pages");
        samePage.Response!.Events.Should().ContainSingle();
    }

    [Fact]
    public async Task The_ledger_never_holds_share_tokens_emails_or_phone_numbers()
    {
        host.Reset();
        const string importToken = "_act-ledger-secret-token-91c2";
        var generated = await host.Client.GenerateShareToken(new GenerateShareTokenRequest { ApplicantId = UniqueApplicant(), ForClientId = "partner", RequestId = Guid.NewGuid().ToString() });
        await host.Client.ImportApplicant(new ImportApplicantRequest { ShareToken = importToken, RequestId = Guid.NewGuid().ToString() });
        await host.Client.ShareWithBanxa(new ShareWithBanxaRequest { ApplicantId = UniqueApplicant(), IdentityReference = "ref-pii", Email = Email, MobileNumber = Mobile });
        host.Banxa.Script("POST", FakeBanxa.SharePath, ScriptedResponse.Json(422, $$"""{"message":"invalid","errors":{"email":["{{Email}} is taken"]},"status":422}"""));
        await host.Client.ShareWithBanxa(new ShareWithBanxaRequest { ApplicantId = UniqueApplicant(), IdentityReference = "ref-pii", Email = Email, MobileNumber = Mobile });

        var everything = await List(new ListShareEventsRequest { PageSize = 1000 });

        everything.Response!.Events.Count.Should().BeGreaterThanOrEqualTo(4);
        var text = everything.Response.ToString();
        foreach (var secret in new[] { importToken, generated.Response!.Token, Email, Mobile, Mobile.TrimStart('+') })
        {
            text.Should().NotContain(secret);
        }
    }
}
