using Google.Rpc;
using IdentitySharing.Contracts.V1;
using IdentitySharing.Host;
using IdentitySharing.Infrastructure.Sandbox;
using IdentitySharing.Infrastructure.Sumsub;
using IdentitySharing.Testing.Grpc;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IdentitySharing.EndToEnd.Tests.Sandbox;

/// <summary>
/// README.md's recovery of an import whose answer was lost, in sandbox mode: the host with its
/// simulated upstreams, where the one thing changed is that the simulated Sumsub's answer to
/// each import is dropped on the way back (after the import happened), as a timeout or a
/// dropped connection would. With a <c>user_id</c> the service finds the applicant by it in the
/// simulated Sumsub and answers with it; without one the outcome stays unknown.
/// </summary>
public sealed class SandboxLostImportAnswerTests : IAsyncLifetime
{
    private const int Ok = 0, Unavailable = 14;
    private readonly DirectoryInfo _storage = Directory.CreateTempSubdirectory("identitysharing-sandbox-");
    private readonly ImportAnswerDropper _dropper = new();
    private WebApplication? _app;
    private GrpcWireClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _app = await IdentitySharingApp.BuildAsync(
            ["--urls", "http://127.0.0.1:0", $"--Storage:ConnectionString=Data Source={Path.Combine(_storage.FullName, "identitysharing.db")}"],
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Services.AddHttpClient(SumsubClient.HttpClientName).AddHttpMessageHandler(() => new DropImportAnswers(_dropper));
            });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new GrpcWireClient(new Uri(url));
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }
        _storage.Delete(recursive: true);
    }

    private async Task<string> MintForRecipientAsync()
    {
        var minted = await _client.GenerateShareToken(new GenerateShareTokenRequest
        {
            ApplicantId = SandboxUpstreams.DonorDemoApplicantIds[0],
            ForClientId = SandboxUpstreams.RecipientClientId,
        });
        minted.StatusCode.Should().Be(Ok, minted.StatusMessage);
        return minted.Response!.Token;
    }

    [Fact]
    public async Task An_import_with_a_user_id_whose_answer_was_lost_is_found_by_that_user_id()
    {
        var token = await MintForRecipientAsync();

        var call = await _client.ImportApplicant(new ImportApplicantRequest
        {
            ShareToken = token,
            Account = SandboxUpstreams.RecipientAccountName,
            UserId = "lost-answer-customer-1",
            LevelName = "basic-kyc-level",
        });

        _dropper.Dropped.Should().Be(1, "the simulated Sumsub's answer to the import was dropped");
        call.StatusCode.Should().Be(Ok, call.StatusMessage);
        var applicant = call.Response!.Applicant;
        applicant.ExternalUserId.Should().Be("lost-answer-customer-1");
        applicant.ClientId.Should().Be(SandboxUpstreams.RecipientClientId);
        applicant.Id.Should().NotBeNullOrEmpty();
        SandboxUpstreams.DonorDemoApplicantIds.Concat(SandboxUpstreams.RecipientDemoApplicantIds).Should().NotContain(applicant.Id);
    }

    [Fact]
    public async Task An_import_without_a_user_id_whose_answer_was_lost_has_an_unknown_outcome()
    {
        var token = await MintForRecipientAsync();

        var call = await _client.ImportApplicant(new ImportApplicantRequest { ShareToken = token, Account = SandboxUpstreams.RecipientAccountName });

        _dropper.Dropped.Should().Be(1);
        call.StatusCode.Should().Be(Unavailable, call.StatusMessage);
        call.Detail<ErrorInfo>()!.Type.Should().Be("IMPORT_OUTCOME_UNKNOWN");
    }

    /// <summary>How many import answers were dropped.</summary>
    private sealed class ImportAnswerDropper
    {
        private int _dropped;

        public int Dropped => Volatile.Read(ref _dropped);

        public void Count() => Interlocked.Increment(ref _dropped);
    }

    /// <summary>Lets each import reach the simulated Sumsub, then loses its answer as a dropped connection would.</summary>
    private sealed class DropImportAnswers(ImportAnswerDropper dropper) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method != HttpMethod.Post || request.RequestUri?.AbsolutePath != "/resources/applicants/-/import")
            {
                return response;
            }
            // The sandbox answers after it has imported: reading the answer in full proves it acted.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            response.Dispose();
            dropper.Count();
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "The test dropped the import's answer.");
        }
    }
}
