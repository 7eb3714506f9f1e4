using System.Net;
using System.Net.Http.Headers;
using System.Text;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.Ports;
using IdentitySharing.Domain;
using IdentitySharing.Infrastructure.Configuration;
using IdentitySharing.Infrastructure.Sandbox;
using IdentitySharing.Testing.Upstreams;
using Microsoft.Extensions.Configuration;

namespace IdentitySharing.Infrastructure.Tests;

/// <summary>Sandbox mode end to end: the real adapters against the simulated upstreams over HTTP.</summary>
public sealed class SandboxTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private SandboxUpstreams _sandbox = null!;
    private AdapterHost _adapters = null!;

    private static readonly AccountName Donor = AccountName.Create(SandboxUpstreams.DonorAccountName);
    private static readonly AccountName Recipient = AccountName.Create(SandboxUpstreams.RecipientAccountName);
    private static readonly ApplicantId DemoApplicant = ApplicantId.Create(SandboxUpstreams.DonorDemoApplicantIds[0]);
    private static readonly ClientId RecipientClient = ClientId.Create(SandboxUpstreams.RecipientClientId);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _sandbox = await SandboxUpstreams.StartAsync(_time, Ct);
        _adapters = AdapterHost.Create(_sandbox.ConfigurationOverrides, _time);
    }

    public async ValueTask DisposeAsync()
    {
        await _adapters.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    private async Task<ShareToken> MintAsync(ClientId forClientId, ShareTokenTtl? ttl = null)
    {
        var issued = await _adapters.Sumsub.GenerateShareTokenAsync(Donor, DemoApplicant, forClientId, ttl ?? ShareTokenTtl.Default, Ct);
        issued.Error.Should().BeNull();
        issued.Value.ForClientId.Should().Be(forClientId);
        return issued.Value.Token;
    }

    private Task<Result<ImportedApplicant>> ImportAsync(AccountName account, ShareToken token, ApplicantImport? import = null) =>
        _adapters.Sumsub.ImportApplicantAsync(account, import ?? new ApplicantImport(token, [], null, null), Ct);

    [Fact]
    public void Overrides_make_a_valid_configuration_with_the_donor_as_default()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_sandbox.ConfigurationOverrides).Build();
        var settings = UpstreamSettings.Load(configuration);

        settings.Problems.Should().BeEmpty();
        settings.DefaultAccount.Should().Be(Donor);
        settings.Accounts.Keys.Should().BeEquivalentTo(["donor", "recipient"]);
        settings.Banxa!.DonorAccount.Should().Be(Donor);
        _adapters.Accounts.TryResolve(null, out var account, out _).Should().BeTrue();
        account.Should().Be(Donor);
    }

    [Fact]
    public async Task Credentials_are_generated_per_start_and_never_described()
    {
        await using var other = await SandboxUpstreams.StartAsync(cancellationToken: Ct);

        other.Donor.AppToken.Should().NotBe(_sandbox.Donor.AppToken);
        other.Donor.SecretKey.Should().NotBe(_sandbox.Donor.SecretKey);
        other.BanxaApiSecret.Should().NotBe(_sandbox.BanxaApiSecret);
        var description = string.Join("\n", _sandbox.Describe());
        description.Should().Contain(SandboxUpstreams.DonorDemoApplicantIds[0]).And.Contain(_sandbox.SumsubBaseUrl.ToString());
        foreach (var secret in new[] { _sandbox.Donor.AppToken, _sandbox.Donor.SecretKey, _sandbox.Recipient.SecretKey, _sandbox.BanxaApiKey, _sandbox.BanxaApiSecret })
        {
            description.Should().NotContain(secret);
        }
    }

    [Fact]
    public async Task A_share_token_imports_once_and_then_is_rejected()
    {
        var token = await MintAsync(RecipientClient);
        var import = new ApplicantImport(token, [DocumentSetType.Create("SELFIE")], ExternalUserId.Create("recipient-user-7"), LevelName.Create("reuse-level"));

        var first = await ImportAsync(Recipient, token, import);
        var second = await ImportAsync(Recipient, token, import);

        first.Error.Should().BeNull();
        var applicant = first.Value;
        applicant.Id.Should().NotBe(DemoApplicant.Value).And.MatchRegex("^[A-Za-z0-9]{1,64}$");
        applicant.ClientId.Should().Be(SandboxUpstreams.RecipientClientId);
        applicant.ExternalUserId.Should().Be("recipient-user-7");
        applicant.LevelName.Should().Be("reuse-level");
        applicant.ReviewStatus.Should().Be("init");
        applicant.CreatedAt.Should().BeCloseTo(_time.GetUtcNow(), TimeSpan.FromSeconds(2));
        second.Error!.Kind.Should().Be(ErrorKind.FailedPrecondition);
        second.Error.Reason.Should().Be("SHARE_TOKEN_REJECTED");
        second.Error.Upstream!.HttpStatus.Should().Be(401);
    }

    [Fact]
    public async Task Import_without_options_keeps_the_review_status_and_level()
    {
        var applicant = (await ImportAsync(Recipient, await MintAsync(RecipientClient))).Value;

        applicant.ReviewStatus.Should().Be("completed");
        applicant.LevelName.Should().Be("basic-kyc-level");
        applicant.ExternalUserId.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task An_expired_token_is_rejected()
    {
        ShareTokenTtl.TryCreate(60, out var ttl, out _);
        var token = await MintAsync(RecipientClient, ttl);

        _time.Advance(TimeSpan.FromSeconds(61));
        var error = (await ImportAsync(Recipient, token)).Error!;

        error.Kind.Should().Be(ErrorKind.FailedPrecondition);
        error.Reason.Should().Be("SHARE_TOKEN_REJECTED");
    }

    [Fact]
    public async Task A_token_for_another_client_is_rejected_with_10504_and_stays_usable_by_its_recipient()
    {
        var token = await MintAsync(RecipientClient);

        var wrongAccount = (await ImportAsync(Donor, token)).Error!;
        var rightAccount = await ImportAsync(Recipient, token);

        wrongAccount.Reason.Should().Be("SHARE_TOKEN_REJECTED");
        wrongAccount.Upstream!.ErrorCode.Should().Be("10504");
        rightAccount.IsSuccess.Should().BeTrue();
    }

    [Fact]
    public async Task An_unknown_token_is_rejected()
    {
        var error = (await ImportAsync(Recipient, ShareToken.Create("_act-sbx-never-issued"))).Error!;

        error.Reason.Should().Be("SHARE_TOKEN_REJECTED");
    }

    [Fact]
    public async Task An_unknown_or_foreign_applicant_is_not_found()
    {
        var unknown = await _adapters.Sumsub.GenerateShareTokenAsync(Donor, ApplicantId.Create("nosuchapplicant"), RecipientClient, ShareTokenTtl.Default, Ct);
        var foreign = await _adapters.Sumsub.GenerateShareTokenAsync(Donor, ApplicantId.Create(SandboxUpstreams.RecipientDemoApplicantIds[0]), RecipientClient, ShareTokenTtl.Default, Ct);

        unknown.Error!.Kind.Should().Be(ErrorKind.NotFound);
        foreign.Error!.Kind.Should().Be(ErrorKind.NotFound);
    }

    [Fact]
    public async Task A_recipient_outside_the_partners_list_is_a_failed_precondition()
    {
        var error = (await _adapters.Sumsub.GenerateShareTokenAsync(Donor, DemoApplicant, ClientId.Create("stranger.com_1"), ShareTokenTtl.Default, Ct)).Error!;

        error.Reason.Should().Be("RECIPIENT_NOT_A_PARTNER");
        error.Upstream!.ErrorCode.Should().Be("10501");
    }

    [Fact]
    public async Task Wrong_credentials_are_our_problem_not_the_callers()
    {
        var overrides = _sandbox.ConfigurationOverrides
            .Select(e => e.Key == "Sumsub:Accounts:recipient:SecretKey" ? new KeyValuePair<string, string?>(e.Key, "wrong-secret") : e);
        await using var misconfigured = AdapterHost.Create(overrides, _time);
        var token = await MintAsync(RecipientClient);

        var error = (await misconfigured.Sumsub.ImportApplicantAsync(Recipient, new ApplicantImport(token, [], null, null), Ct)).Error!;

        error.Kind.Should().Be(ErrorKind.UpstreamCredentials);
        (await ImportAsync(Recipient, token)).IsSuccess.Should().BeTrue("a rejected signature must not consume the token");
    }

    [Fact]
    public async Task A_stale_timestamp_is_rejected_as_a_credentials_problem()
    {
        var token = await MintAsync(RecipientClient);
        var staleClock = new ManualTimeProvider();
        staleClock.Advance(TimeSpan.FromMinutes(-5));
        await using var stale = AdapterHost.Create(_sandbox.ConfigurationOverrides, staleClock);

        var error = (await stale.Sumsub.ImportApplicantAsync(Recipient, new ApplicantImport(token, [], null, null), Ct)).Error!;

        error.Kind.Should().Be(ErrorKind.UpstreamCredentials);
    }

    private Task<Result<ImportedApplicant>> FindAsync(AccountName account, string externalUserId) =>
        _adapters.Sumsub.FindApplicantByExternalUserIdAsync(account, ExternalUserId.Create(externalUserId), Ct);

    [Theory]
    [InlineData("recipient-user-8")]
    [InlineData("customer 42/ü?&x=%2F;one")] // printable, but every character the path must encode
    public async Task An_imported_applicant_is_found_by_its_external_user_id(string externalUserId)
    {
        var token = await MintAsync(RecipientClient);
        var imported = (await ImportAsync(Recipient, token,
            new ApplicantImport(token, [DocumentSetType.Create("SELFIE")], ExternalUserId.Create(externalUserId), LevelName.Create("reuse-level")))).Value;

        var found = await FindAsync(Recipient, externalUserId);

        found.Error.Should().BeNull();
        found.Value.Should().Be(imported, "the read returns the applicant the import created, field for field");
        found.Value.ExternalUserId.Should().Be(externalUserId);
        found.Value.ClientId.Should().Be(SandboxUpstreams.RecipientClientId);
    }

    [Fact]
    public async Task The_latest_applicant_imported_with_an_external_user_id_is_the_one_found()
    {
        var earlierToken = await MintAsync(RecipientClient);
        var earlier = (await ImportAsync(Recipient, earlierToken, new ApplicantImport(earlierToken, [], ExternalUserId.Create("recipient-user-9"), null))).Value;
        _time.Advance(TimeSpan.FromSeconds(5));
        var laterToken = await MintAsync(RecipientClient);
        var later = (await ImportAsync(Recipient, laterToken, new ApplicantImport(laterToken, [], ExternalUserId.Create("recipient-user-9"), null))).Value;

        var found = (await FindAsync(Recipient, "recipient-user-9")).Value;

        later.Id.Should().NotBe(earlier.Id);
        found.Id.Should().Be(later.Id);
        found.CreatedAt.Should().Be(later.CreatedAt);
    }

    [Fact]
    public async Task A_seeded_demo_applicant_is_found_by_its_external_user_id()
    {
        var found = (await FindAsync(Donor, SandboxUpstreams.DonorClientId + "-user-1")).Value;

        found.Id.Should().Be(DemoApplicant.Value);
        found.ReviewStatus.Should().Be("completed");
    }

    [Fact]
    public async Task An_unknown_external_user_id_is_not_found()
    {
        var error = (await FindAsync(Recipient, "nobody-imported-this")).Error!;

        error.Kind.Should().Be(ErrorKind.NotFound);
        error.Reason.Should().Be("APPLICANT_NOT_FOUND");
        error.Upstream!.HttpStatus.Should().Be(404);
        error.Upstream.CorrelationId.Should().NotBeNullOrEmpty("Sumsub's error body carries a correlation id");
    }

    [Fact]
    public async Task An_applicant_is_not_visible_by_external_user_id_from_another_account()
    {
        var token = await MintAsync(RecipientClient);
        (await ImportAsync(Recipient, token, new ApplicantImport(token, [], ExternalUserId.Create("recipient-only-user"), null))).IsSuccess.Should().BeTrue();

        var fromDonor = await FindAsync(Donor, "recipient-only-user");
        var fromRecipient = await FindAsync(Recipient, "recipient-only-user");

        fromDonor.Error!.Kind.Should().Be(ErrorKind.NotFound);
        fromRecipient.IsSuccess.Should().BeTrue();
        (await FindAsync(Recipient, SandboxUpstreams.DonorClientId + "-user-1")).Error!.Kind.Should().Be(ErrorKind.NotFound,
            "the donor's seeded applicant is not the recipient's");
    }

    [Fact]
    public async Task A_lookup_with_a_bad_signature_is_refused_as_a_credentials_problem()
    {
        var token = await MintAsync(RecipientClient);
        (await ImportAsync(Recipient, token, new ApplicantImport(token, [], ExternalUserId.Create("recipient-user-10"), null))).IsSuccess.Should().BeTrue();
        var overrides = _sandbox.ConfigurationOverrides
            .Select(e => e.Key == "Sumsub:Accounts:recipient:SecretKey" ? new KeyValuePair<string, string?>(e.Key, "wrong-secret") : e);
        await using var misconfigured = AdapterHost.Create(overrides, _time);

        var error = (await misconfigured.Sumsub.FindApplicantByExternalUserIdAsync(Recipient, ExternalUserId.Create("recipient-user-10"), Ct)).Error!;

        error.Kind.Should().Be(ErrorKind.UpstreamCredentials);
        error.Upstream!.HttpStatus.Should().Be(401);
    }

    [Fact]
    public async Task The_lookup_speaks_sumsubs_http_answers_and_checks_the_signature()
    {
        using var http = new HttpClient();
        const string path = "/resources/applicants/-;externalUserId=nobody-imported-this/one";

        using var unknown = await SendSumsubGetAsync(http, path, _sandbox.Recipient.SecretKey);
        using var badSignature = await SendSumsubGetAsync(http, "/resources/applicants/-;externalUserId=" + SandboxUpstreams.RecipientClientId + "-user-1/one", "wrong-secret");
        using var seeded = await SendSumsubGetAsync(http, "/resources/applicants/-;externalUserId=" + SandboxUpstreams.RecipientClientId + "-user-1/one", _sandbox.Recipient.SecretKey);

        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        using (var body = System.Text.Json.JsonDocument.Parse(await unknown.Content.ReadAsStringAsync(Ct)))
        {
            body.RootElement.GetProperty("code").GetInt32().Should().Be(404);
            body.RootElement.GetProperty("description").GetString().Should().NotBeNullOrEmpty();
            body.RootElement.GetProperty("correlationId").GetString().Should().NotBeNullOrEmpty();
        }
        badSignature.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await badSignature.Content.ReadAsStringAsync(Ct)).Should().Contain("signature").And.NotContain(SandboxUpstreams.RecipientDemoApplicantIds[0]);
        seeded.StatusCode.Should().Be(HttpStatusCode.OK);
        (await seeded.Content.ReadAsStringAsync(Ct)).Should().Contain(SandboxUpstreams.RecipientDemoApplicantIds[0]);
    }

    // Signed with the test fakes' own implementation of Sumsub's algorithm, as the recipient account.
    private async Task<HttpResponseMessage> SendSumsubGetAsync(HttpClient http, string pathAndQuery, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_sandbox.SumsubBaseUrl, pathAndQuery));
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers.Add("X-App-Token", _sandbox.Recipient.AppToken);
        request.Headers.Add("X-App-Access-Ts", timestamp);
        request.Headers.Add("X-App-Access-Sig", VendorSignatures.Sumsub(secret, timestamp, "GET", pathAndQuery, []));
        return await http.SendAsync(request, Ct);
    }

    private static BanxaIdentityShare BanxaShare(ShareToken token, string reference, string email = "grace@example.com") =>
        new(IdentityReference.Create(reference), EmailAddress.Create(email), MobileNumber.Create("+14155550123"), token);

    [Fact]
    public async Task Banxa_accepts_a_token_minted_for_its_client_id_once()
    {
        var token = await MintAsync(ClientId.Create(_sandbox.BanxaSumsubClientId));

        var accepted = await _adapters.Banxa.ShareIdentityAsync(BanxaShare(token, "cust-42"), Ct);
        var reused = await _adapters.Banxa.ShareIdentityAsync(BanxaShare(token, "cust-42"), Ct);

        accepted.Value.Value.Should().Be("cust-42");
        reused.Error!.Kind.Should().Be(ErrorKind.FailedPrecondition);
        reused.Error.Reason.Should().Be("SHARE_TOKEN_REJECTED");
        reused.Error.FieldViolations.Should().ContainSingle().Which.Field.Should().Be("provider.token");
    }

    [Fact]
    public async Task Banxa_rejects_a_token_minted_for_someone_else()
    {
        var token = await MintAsync(RecipientClient);

        var error = (await _adapters.Banxa.ShareIdentityAsync(BanxaShare(token, "cust-43"), Ct)).Error!;

        error.Kind.Should().Be(ErrorKind.FailedPrecondition);
        error.Reason.Should().Be("SHARE_TOKEN_REJECTED");
        error.FieldViolations.Select(v => v.Field).Should().Equal("provider.token");
    }

    [Fact]
    public async Task Banxa_rejects_an_email_it_holds_under_another_reference()
    {
        var banxaClient = ClientId.Create(_sandbox.BanxaSumsubClientId);
        (await _adapters.Banxa.ShareIdentityAsync(BanxaShare(await MintAsync(banxaClient), "cust-1", "taken@example.com"), Ct)).IsSuccess.Should().BeTrue();

        var error = (await _adapters.Banxa.ShareIdentityAsync(BanxaShare(await MintAsync(banxaClient), "cust-2", "taken@example.com"), Ct)).Error!;

        error.Kind.Should().Be(ErrorKind.Validation);
        error.Upstream!.HttpStatus.Should().Be(422);
        var violation = error.FieldViolations.Should().ContainSingle().Subject;
        violation.Field.Should().Be("email");
        violation.Description.Should().NotContain("taken@example.com");
    }

    [Fact]
    public async Task Banxa_rejects_invalid_fields_with_422()
    {
        using var http = new HttpClient();
        var body = """{"identityReference":"bad ref","email":"nope","mobileNumber":"12","provider":{"vendor":"other","token":"t"}}""";

        using var response = await SendBanxaAsync(http, body, NonceNow());

        response.StatusCode.Should().Be((HttpStatusCode)422);
        var text = await response.Content.ReadAsStringAsync(Ct);
        foreach (var field in new[] { "identityReference", "email", "mobileNumber", "provider.vendor" })
        {
            text.Should().Contain($"\"{field}\"");
        }
    }

    [Fact]
    public async Task Banxa_rejects_a_reused_nonce_with_40003()
    {
        using var http = new HttpClient();
        var nonce = NonceNow();
        const string body = "{}";

        using var first = await SendBanxaAsync(http, body, nonce);
        using var second = await SendBanxaAsync(http, body, nonce);

        first.StatusCode.Should().Be((HttpStatusCode)422, "a valid signature on an empty object reaches the field validation");
        second.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await second.Content.ReadAsStringAsync(Ct)).Should().Contain("40003");
    }

    [Fact]
    public async Task Banxa_rejects_a_bad_signature_with_40101()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_sandbox.BanxaBaseUrl, "/eapi/v0/identities/token/share"))
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"{_sandbox.BanxaApiKey}:{new string('0', 64)}:{NonceNow()}");

        using var response = await http.SendAsync(request, Ct);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync(Ct)).Should().Contain("40101");
    }

    [Fact]
    public async Task Banxa_rejects_a_nonce_far_from_its_clock_with_40002()
    {
        using var http = new HttpClient();
        var hourAgo = ((_time.GetUtcNow().AddHours(-1).UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10).ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var response = await SendBanxaAsync(http, "{}", hourAgo);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync(Ct)).Should().Contain("40002");
    }

    [Fact]
    public async Task Sumsub_rejects_an_unknown_app_token_as_a_credentials_problem()
    {
        var overrides = _sandbox.ConfigurationOverrides
            .Select(e => e.Key == "Sumsub:Accounts:donor:AppToken" ? new KeyValuePair<string, string?>(e.Key, "sbx:unknown") : e);
        await using var misconfigured = AdapterHost.Create(overrides, _time);

        var error = (await misconfigured.Sumsub.GenerateShareTokenAsync(Donor, DemoApplicant, RecipientClient, ShareTokenTtl.Default, Ct)).Error!;

        error.Kind.Should().Be(ErrorKind.UpstreamCredentials);
        error.Upstream!.HttpStatus.Should().Be(401);
    }

    private string NonceNow() => ((_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10).ToString(System.Globalization.CultureInfo.InvariantCulture);

    // Signed with the test fakes' own implementation of Banxa's algorithm.
    private async Task<HttpResponseMessage> SendBanxaAsync(HttpClient http, string body, string nonce)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_sandbox.BanxaBaseUrl, "/eapi/v0/identities/token/share"))
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var signature = VendorSignatures.Banxa(_sandbox.BanxaApiSecret, "POST", "/eapi/v0/identities/token/share", nonce, bytes);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"{_sandbox.BanxaApiKey}:{signature}:{nonce}");
        return await http.SendAsync(request, Ct);
    }
}
